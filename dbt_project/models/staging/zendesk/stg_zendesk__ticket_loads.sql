-- What the loads touched: one row per raw row that carries a ticket (a ticket version, an event,
-- a metric set), with the time it was loaded. The incremental facts rebuild the tickets loaded
-- since their last build whatever their age (macro rows_loaded_since_last_build); a filter on
-- loaded_at reaches each raw scan, so a daily run reads the recent loads, not all history.
-- ticket_created_at is known on ticket versions only (an event's own time is not its ticket's).
select id as ticket_id, created_at as ticket_created_at, _loaded_at as loaded_at, 'tickets' as stream
from {{ source('zendesk', 'tickets') }}
union all
select ticket_id, cast(null as timestamp) as ticket_created_at, _loaded_at as loaded_at, 'ticket_events' as stream
from {{ source('zendesk', 'ticket_events') }}
union all
select ticket_id, cast(null as timestamp) as ticket_created_at, _loaded_at as loaded_at, 'ticket_metrics' as stream
from {{ source('zendesk', 'ticket_metrics') }}
