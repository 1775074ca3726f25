{{ config(materialized='ephemeral') }}
-- The newest moment in the data, one row: a KPI whose clock has not run out for a ticket at this
-- moment (a complaint younger than 24 h, FCR's reopen window, the SLA times) is not known yet.
-- The data's horizon, not the clock, keeps rebuilds identical. A window's tickets have events
-- from their creation on, so the newest event since the window's start is the newest of all
-- history; with no events there, no ticket of the window is old enough for anything.
-- Ephemeral: compiled into its reader with the reader's window (never a table left from another
-- run's window), and the filter on created_at reaches the raw scan through the staging view, so
-- a daily run reads only the window's events, not all history.
select coalesce(max(created_at), {{ window_start_utc_bound() }}) as as_of_at
from {{ ref('stg_zendesk__ticket_events') }}
where created_at >= {{ window_start_utc_bound() }}
