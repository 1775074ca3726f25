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
    ticket_id,
    channel as channel_reported,
    overall_score,
    speed_score,
    accuracy_score,
    attitude_score,
    resolution_score,
    nps_score,
    _record ->> 'comment' as comment_text
from versions
where version_rank = 1
