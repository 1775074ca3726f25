-- The mode each ingest step ran its source in (sample, account or off), one row per step and run.
select run_id, source, mode, recorded_at
from {{ source('ingest', 'source_modes') }}
