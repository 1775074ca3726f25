-- A schedule's weekly intervals, as local day of the week (0 = Sunday, as the API counts) and
-- minutes after that day's local midnight. An interval never spans calendar days (reference), so
-- its close is at most 1440.
select
    id as interval_id,
    schedule_id,
    -- floor of a float division: `/` on integers divides exactly on DuckDB, truncates on PostgreSQL
    cast(floor(start_time / 1440.0) as integer) as day_of_week,
    cast(start_time - floor(start_time / 1440.0) * 1440 as integer) as open_minute,
    cast(end_time - floor(start_time / 1440.0) * 1440 as integer) as close_minute
from {{ source('zendesk', 'schedule_intervals') }}
