-- Survey API (Delighted) responses, newest version of each, in the normalized survey shape the
-- CSV stream shares. The loader typed every answer by its survey type (config/survey_api.yaml):
-- a five_point CSAT value 1-5, a good / bad CSAT, a 0-10 NPS answer, the four dimensions; a
-- response of a type that feeds no KPI here (CES, eNPS, PMF, ...) has has_kpi_answer false.
with versions as (
    select
        *,
        -- submitted_at never changes for a response; in the partition it lets window filters reach raw
        row_number() over (partition by id, submitted_at order by updated_at desc, _loaded_at desc) as version_rank
    from {{ source('surveys', 'api_responses') }}
)

select
    id as response_id,
    'survey_api' as survey_source,
    submitted_at,
    updated_at as delivered_at,
    survey_type,
    ticket_ref,
    ticket_id,
    channel as channel_reported,
    csat_scale,
    csat_scale_min,
    csat_scale_max,
    csat_value,
    is_csat_positive,
    speed_score,
    accuracy_score,
    attitude_score,
    resolution_score,
    nps_scale,
    nps_answer,
    comment as comment_text,
    has_kpi_answer,
    _loaded_at as loaded_at
from versions
where version_rank = 1
