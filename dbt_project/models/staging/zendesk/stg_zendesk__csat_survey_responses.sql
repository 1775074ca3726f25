-- Zendesk's CSAT survey responses (the newer CSAT), the newest version of each. A response can be
-- edited until it expires; a skipped rating leaves the response without a score (no CSAT answer).
-- submitted_at (the first answer's creation) never changes for a response; partitioning by it
-- lets window filters reach raw.
with versions as (
    select
        *,
        row_number() over (partition by id, submitted_at order by updated_at desc, _loaded_at desc) as version_rank
    from {{ source('zendesk', 'csat_survey_responses') }}
)

select
    id as survey_response_id,
    ticket_id,
    responder_id,
    survey_id,
    survey_version,
    rating_question_type,
    rating,
    rating is not null as is_rated,
    submitted_at,
    updated_at,
    expires_at,
    _loaded_at as loaded_at
from versions
where version_rank = 1
