-- The teams' opening intervals by local day (config/business_calendar.yaml, expanded at ingestion).
select
    cast(team as varchar) as team,
    cast(time_zone as varchar) as time_zone,
    cast(local_date as date) as local_date,
    cast(open_minute as integer) as open_minute,
    cast(close_minute as integer) as close_minute,
    cast(day_kind as varchar) as day_kind
from {{ source('calendar', 'business_days') }}
