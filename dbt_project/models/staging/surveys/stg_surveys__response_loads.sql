-- What the loads touched: one row per raw row of a survey response, from every survey source
-- (the survey API, the tools' exports, Zendesk's CSAT survey responses and its satisfaction
-- ratings), with its submission time and the time it was loaded. fct_survey_responses reads the
-- submission times of the rows loaded since its last build to know how far back a run's loads
-- reach (a response delivered 30 days late); a filter on loaded_at reaches each raw scan.
-- A rating's submission is its update (the answer), as in int_surveys__responses.
select submitted_at, _loaded_at as loaded_at, 'survey_api' as stream
from {{ source('surveys', 'api_responses') }}
union all
select submitted_at, _loaded_at as loaded_at, 'survey_exports' as stream
from {{ source('surveys', 'csv_responses') }}
union all
select submitted_at, _loaded_at as loaded_at, 'zendesk_csat_survey_responses' as stream
from {{ source('zendesk', 'csat_survey_responses') }}
union all
select updated_at as submitted_at, _loaded_at as loaded_at, 'zendesk_satisfaction_ratings' as stream
from {{ source('zendesk', 'satisfaction_ratings') }}
