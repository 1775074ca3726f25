{{ config(materialized='table', tags=['business_hours']) }}
-- Every opening interval of every schedule, in UTC epoch seconds: the calendar that ticket spans
-- are joined to (a span's business seconds are its overlaps with these, summed). Two kinds of
-- schedule, one shape:
--   zendesk:<id>  a Zendesk schedule's weekly intervals on every local day from a year before the
--                 history start to var calendar_end, less the schedule's holidays;
--   team:<name>   a team calendar's business days (config/business_calendar.yaml, expanded at
--                 ingestion with the public holidays and China's makeup working days).
-- Each local opening and closing time becomes UTC with the schedule's own time zone on its own
-- day, so a DST change moves the UTC interval, never the local hours.
with days as (
    select
        cast(day_ts as date) as local_date,
        -- 0 = Sunday on both engines, as the Schedules API counts its week
        cast(extract(dow from day_ts) as integer) as day_of_week
    from generate_series(
        cast('{{ var("history_start") }}' as timestamp) - interval '366 days',
        cast('{{ var("calendar_end", "2027-12-31") }}' as timestamp),
        interval '1 day'
    ) as spine (day_ts)
),

holidays as (
    select schedule_id, start_date, end_date from {{ ref('stg_zendesk__schedule_holidays') }}
),

zendesk_days as (
    select
        'zendesk:' || cast(s.schedule_id as varchar) as schedule_key,
        s.time_zone,
        d.local_date,
        i.open_minute,
        i.close_minute
    from {{ ref('stg_zendesk__schedules') }} as s
    inner join {{ ref('stg_zendesk__schedule_intervals') }} as i on i.schedule_id = s.schedule_id
    inner join days as d on d.day_of_week = i.day_of_week
    where not exists (
        select 1 from holidays as h
        where h.schedule_id = s.schedule_id and d.local_date >= h.start_date and d.local_date <= h.end_date
    )
),

team_days as (
    select 'team:' || team as schedule_key, time_zone, local_date, open_minute, close_minute
    from {{ ref('stg_calendar__business_days') }}
),

local_intervals as (
    select * from zendesk_days
    union all
    select * from team_days
)

select
    cast(schedule_key as varchar) as schedule_key,
    cast(time_zone as varchar) as time_zone,
    cast(local_date as date) as local_date,
    cast(open_minute as integer) as open_minute,
    cast(close_minute as integer) as close_minute,
    cast({{ epoch_seconds(local_to_utc(dbt.dateadd('minute', 'open_minute', 'cast(local_date as timestamp)'), 'time_zone')) }} as bigint)
        as open_epoch,
    cast({{ epoch_seconds(local_to_utc(dbt.dateadd('minute', 'close_minute', 'cast(local_date as timestamp)'), 'time_zone')) }} as bigint)
        as close_epoch
from local_intervals
