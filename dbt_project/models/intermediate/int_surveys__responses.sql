-- Survey responses from the API and from CSV exports in one shape: overall 1-5, the four
-- dimensions, and the NPS answer as a category on either scale.
with api as (
    select
        response_id,
        survey_source,
        submitted_at,
        delivered_at,
        ticket_id,
        channel_reported,
        overall_score,
        speed_score,
        accuracy_score,
        attitude_score,
        resolution_score,
        'zero_to_ten' as nps_scale,
        nps_score as nps_value,
        case
            when nps_score >= 9 then 'promoter'
            when nps_score >= 7 then 'passive'
            when nps_score >= 0 then 'detractor'
        end as nps_category
    from {{ ref('stg_surveys__api_responses') }}
),

csv as (
    select
        response_id,
        survey_source,
        submitted_at,
        cast(null as timestamp) as delivered_at,
        ticket_id,
        channel_reported,
        overall_score,
        speed_score,
        accuracy_score,
        attitude_score,
        resolution_score,
        nps_scale,
        case when nps_scale = 'zero_to_ten' then cast(nps_answer as integer) end as nps_value,
        case
            when nps_scale = 'three_option' and nps_answer = 'willing' then 'promoter'
            when nps_scale = 'three_option' and nps_answer = 'unsure' then 'passive'
            when nps_scale = 'three_option' and nps_answer = 'unwilling' then 'detractor'
            when nps_scale = 'zero_to_ten' and cast(nps_answer as integer) >= 9 then 'promoter'
            when nps_scale = 'zero_to_ten' and cast(nps_answer as integer) >= 7 then 'passive'
            when nps_scale = 'zero_to_ten' and cast(nps_answer as integer) >= 0 then 'detractor'
        end as nps_category
    from {{ ref('stg_surveys__csv_responses') }}
),

responses as (
    select * from api
    union all
    select * from csv
),

channels as (
    select source_value, channel from {{ ref('channel_mapping') }} where source_system = 'survey'
)

select
    r.*,
    coalesce(c.channel, case when r.channel_reported is null then null else 'other' end) as channel_from_response
from responses as r
left join channels as c on c.source_value = r.channel_reported
