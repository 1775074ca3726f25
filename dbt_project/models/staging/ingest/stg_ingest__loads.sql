-- The committed loads of every stream that loaded at least one record, named by the source a
-- user turns on: the ledger names raw sources, and the survey API and the survey tools' drop
-- folder share 'surveys'.
select
    case
        when source = 'surveys' and stream = 'api_responses' then 'survey_api'
        when source = 'surveys' and stream = 'csv_responses' then 'survey_csv'
        else source
    end as source,
    stream,
    committed_at
from {{ source('ingest', 'ledger') }}
where records_loaded > 0
