-- A schedule's holidays: local dates, both ends inclusive.
select
    id as holiday_id,
    schedule_id,
    name as holiday_name,
    start_date,
    end_date
from {{ source('zendesk', 'schedule_holidays') }}
