{{ config(tags=['dimension']) }}
-- One row per calendar day from the history start to the end of next year.
with days as (
    select cast(day_ts as date) as date_day
    from generate_series(
        cast('{{ var("history_start") }}' as timestamp),
        cast('{{ var("calendar_end", "2027-12-31") }}' as timestamp),
        interval '1 day'
    ) as spine (day_ts)
)

select
    cast(date_day as date) as date_day,
    cast(date_trunc('week', date_day) as date) as iso_week_start,
    cast(extract(isoyear from date_day) as integer) as iso_year,
    cast(extract(week from date_day) as integer) as iso_week,
    cast(date_trunc('month', date_day) as date) as month_start,
    cast(date_trunc('quarter', date_day) as date) as quarter_start,
    cast(extract(year from date_day) as integer) as year,
    cast(extract(isodow from date_day) as integer) as iso_day_of_week,
    cast(extract(isodow from date_day) in (6, 7) as boolean) as is_weekend
from days
