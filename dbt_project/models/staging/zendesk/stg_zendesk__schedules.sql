-- Zendesk business-hours schedules. The time zone comes as Zendesk's Rails name ("Beijing",
-- "Pacific Time (US & Canada)"); the seed zendesk_time_zones gives its IANA name, and a name that
-- is already IANA ("Asia/Shanghai") is taken as it is. A name neither knows fails the not_null
-- test on time_zone: add it to the seed rather than time the schedule in the wrong zone.
-- The default schedule (the one Zendesk applies to a ticket no trigger set one on) is the first
-- Admin Center lists; the API says nothing of an order, so the oldest (lowest id) is taken.
with schedules as (
    select
        id as schedule_id,
        name as schedule_name,
        time_zone as zendesk_time_zone,
        created_at,
        updated_at
    from {{ source('zendesk', 'schedules') }}
)

select
    s.schedule_id,
    s.schedule_name,
    s.zendesk_time_zone,
    cast(coalesce(tz.iana_time_zone, case when s.zendesk_time_zone like '%/%' then s.zendesk_time_zone end) as varchar)
        as time_zone,
    s.schedule_id = (select min(schedule_id) from schedules) as is_default,
    s.created_at,
    s.updated_at
from schedules as s
left join {{ ref('zendesk_time_zones') }} as tz on tz.zendesk_time_zone = s.zendesk_time_zone
