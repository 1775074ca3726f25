{{ config(tags=['report']) }}
-- Which sources fed the published marts: one row per source with the mode of its newest ingest
-- (sample, account or off) and when it last loaded a record. A team that has connected only its
-- survey tool sees Zendesk and HubSpot "off" here, not the sample's invented tickets in its marts.
with modes as (
    select
        source,
        mode,
        recorded_at,
        row_number() over (partition by source order by recorded_at desc, run_id desc) as newest
    from {{ ref('stg_ingest__source_modes') }}
),

loads as (
    select source, committed_at from {{ ref('stg_ingest__loads') }}
),

last_loads as (
    select source, max(committed_at) as last_loaded_at
    from loads
    group by source
)

select
    cast(m.source as varchar) as source,
    cast(m.mode as varchar) as mode,
    cast(m.recorded_at as timestamp) as mode_recorded_at,
    cast(l.last_loaded_at as timestamp) as last_loaded_at
from modes as m
left join last_loads as l on l.source = m.source
where m.newest = 1
