-- A re-exported response (same tool and id in two files) keeps its newest export.
with versions as (
    select
        *,
        row_number() over (
            -- submitted_at never changes for a response; in the partition it lets window filters reach raw
            partition by survey_tool, id, submitted_at order by _partition_date desc, _loaded_at desc
        ) as version_rank
    from {{ source('surveys', 'csv_responses') }}
)

select
    survey_tool || ':' || id as response_id,
    survey_tool as survey_source,
    submitted_at,
    _partition_date as exported_on,
    ticket_id,
    channel as channel_reported,
    overall_score,
    speed_score,
    accuracy_score,
    attitude_score,
    resolution_score,
    nps_scale,
    nps_answer,
    comment as comment_text
from versions
where version_rank = 1
