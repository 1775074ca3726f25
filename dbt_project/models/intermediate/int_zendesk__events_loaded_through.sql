{{ config(materialized='ephemeral') }}
-- The first and the last local day whose ticket events were loaded (raw._ingest_ledger's partitions
-- of the ticket_events loads), one row. Only the ends of these days are known: before the first,
-- the status history was not loaded (a ticket's status then is a guess, not a count); after the
-- last, a later day's status changes are not loaded yet. Unlike the newest event's time
-- (int_zendesk__data_horizon), a quiet day that loaded nothing new still counts.
select
    min(first_partition) as loaded_from_date,
    max(last_partition) as loaded_through_date
from {{ source('ingest', 'ledger') }}
where source = 'zendesk' and stream = 'ticket_events'
