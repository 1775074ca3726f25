-- Survey responses from the API, CSV exports and Zendesk's satisfaction ratings in one shape:
-- overall 1-5, the four dimensions, the NPS answer as a category on either scale, and the CSAT
-- scale each response was asked on. A 5-point answer is positive at 4-5; a Zendesk rating
-- (good / bad) is positive when good and has no score, so it counts in the CSAT rate, not the mean.
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
        end as nps_category,
        'five_point' as csat_scale,
        overall_score >= 4 as is_csat_positive
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
        end as nps_category,
        'five_point' as csat_scale,
        overall_score >= 4 as is_csat_positive
    from {{ ref('stg_surveys__csv_responses') }}
),

-- Answered ratings only: an offered rating nobody answered is no response.
zendesk_ratings as (
    select
        {{ dbt.concat(["'zendesk-csat-'", dbt.cast("rating_id", api.Column.translate_type("string"))]) }}
            as response_id,
        'zendesk_csat' as survey_source,
        updated_at as submitted_at,
        updated_at as delivered_at,
        ticket_id,
        cast(null as varchar) as channel_reported,
        cast(null as integer) as overall_score,
        cast(null as integer) as speed_score,
        cast(null as integer) as accuracy_score,
        cast(null as integer) as attitude_score,
        cast(null as integer) as resolution_score,
        cast(null as varchar) as nps_scale,
        cast(null as integer) as nps_value,
        cast(null as varchar) as nps_category,
        'good_bad' as csat_scale,
        score = 'good' as is_csat_positive
    from {{ ref('stg_zendesk__satisfaction_ratings') }}
    where is_answered
),

responses as (
    select * from api
    union all
    select * from csv
    union all
    select * from zendesk_ratings
),

channels as (
    select source_value, channel from {{ ref('channel_mapping') }} where source_system = 'survey'
)

select
    r.*,
    coalesce(c.channel, case when r.channel_reported is null then null else 'other' end) as channel_from_response
from responses as r
left join channels as c on c.source_value = r.channel_reported
