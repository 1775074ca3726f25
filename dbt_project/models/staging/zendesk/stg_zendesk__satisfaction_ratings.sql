-- Zendesk's satisfaction ratings (legacy CSAT), the newest version of each. A rating is offered,
-- then answered good or bad (and may be changed); only answered ratings are survey responses.
-- created_at never changes for a rating; partitioning by it lets window filters reach raw.
with versions as (
    select
        *,
        row_number() over (partition by id, created_at order by updated_at desc, _loaded_at desc) as version_rank
    from {{ source('zendesk', 'satisfaction_ratings') }}
)

select
    id as rating_id,
    ticket_id,
    score,
    score in ('good', 'bad') as is_answered,
    created_at as offered_at,
    updated_at,
    assignee_id,
    group_id,
    requester_id,
    _record ->> 'comment' as comment_text,
    _record ->> 'reason' as bad_reason,
    _loaded_at as loaded_at
from versions
where version_rank = 1
