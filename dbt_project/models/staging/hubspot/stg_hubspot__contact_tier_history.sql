-- Each contact's tier over time (SCD type 2): one row per stored version, valid from that
-- version's updated_at (HubSpot's lastmodifieddate) until the next version's; the newest is
-- valid_to null. A ticket takes its customer's tier at its creation (kpi-definitions.md,
-- "Definition choices"), so rebuilding last year keeps last year's split.
--
-- Why built from raw and not a dbt snapshot: raw.hubspot__contacts already keeps EVERY version
-- the connector fetched, keyed by (id, updated_at) and never deleted (ingestion/streams.py,
-- versions mode). A timestamp-strategy snapshot of stg_hubspot__contacts would record the same
-- versions with the same valid_from (updated_at), but only those present at each `dbt snapshot`
-- run and only from its first run on; its table cannot be rebuilt (a new warehouse, a
-- full refresh or the PostgreSQL copy of raw would lose the history). This model has the same
-- granularity (every loaded version) and is rebuilt from raw identically on every engine.
-- What neither can see: a tier set and changed again between two loads.
--
-- Archived versions are left out (an archived contact is no one's customer, so its last live
-- version stays valid). The tier is read as in stg_hubspot__contacts (var
-- hubspot_customer_tier_property; missing or cleared: 'unknown'). Companies carry no tier.
with versions as (
    select
        id,
        updated_at,
        _record,
        -- (id, updated_at) is one version; a repeated delivery of it keeps the latest load
        row_number() over (partition by id, updated_at order by _loaded_at desc) as copy_rank
    from {{ source('hubspot', 'contacts') }}
    where not archived
),

tiers as (
    select
        id as contact_id,
        updated_at,
        coalesce(
            lower({{ blank_to_null(hubspot_property(var('hubspot_customer_tier_property'))) }}), 'unknown'
        ) as customer_tier
    from versions
    where copy_rank = 1
)

select
    contact_id,
    customer_tier,
    updated_at as valid_from,
    lead(updated_at) over (partition by contact_id order by updated_at) as valid_to,
    -- the earliest version known: a ticket created before it takes its tier (nothing older is known)
    row_number() over (partition by contact_id order by updated_at) = 1 as is_earliest_version
from tiers
