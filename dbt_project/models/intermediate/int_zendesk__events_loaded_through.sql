{{ config(materialized='ephemeral') }}
-- The last local day whose ticket events were loaded (raw._ingest_ledger's last_partition of the
-- ticket_events loads), one row. The end of that day is the newest end of day the data speaks
-- for: a later day's status changes are not loaded yet, so its backlog is not known. Unlike the
-- newest event's time (int_zendesk__data_horizon), a quiet day that loaded nothing new still counts.
select max(last_partition) as loaded_through_date
from {{ source('ingest', 'ledger') }}
where source = 'zendesk' and stream = 'ticket_events'
