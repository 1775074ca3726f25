-- One row per response of a survey tool's exports (CSV or Excel). Raw keeps each (tool, response
-- id, submission time) once; a response seen with another time (an export dated by its file's day
-- dropped again later) keeps its newest. Responses that answered no KPI question are left out here
-- and counted at load (the run's `responses_without_kpi_answer`).
with versions as (
    select
        *,
        row_number() over (
            partition by survey_tool, id order by submitted_at desc, _loaded_at desc
        ) as version_rank
    from {{ source('surveys', 'csv_responses') }}
    where response_key is not null
)

select
    response_key as response_id,
    survey_tool as survey_source,
    submitted_at,
    ticket_ref,
    ticket_id,
    channel as channel_reported,
    team as team_reported,
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
    _loaded_at as loaded_at
from versions
where version_rank = 1 and has_kpi_answer
