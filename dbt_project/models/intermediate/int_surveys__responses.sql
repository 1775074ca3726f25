-- Survey responses from the API, CSV exports, Zendesk's CSAT survey responses and its legacy
-- satisfaction ratings in one shape: overall 1-5, the four dimensions, the NPS answer as a category
-- on either scale, and the CSAT scale each response was asked on. A 5-point answer (Zendesk's newer
-- CSAT included) is positive at 4-5; a legacy Zendesk rating (good / bad) is positive when good and
-- has no score, so it counts in the CSAT rate, not the mean.
with api as (
    -- one survey type per response: overall is the five_point CSAT value, NPS the 0-10 answer;
    -- a response that answers no KPI question (a CES or PMF survey, say) is left out
    select
        response_id,
        survey_source,
        submitted_at,
        delivered_at,
        ticket_id,
        channel_reported,
        cast(null as varchar) as team_reported,  -- a Delighted response names no team
        case when csat_scale = 'five_point' then csat_value end as overall_score,
        csat_value,
        csat_scale_min,
        csat_scale_max,
        speed_score,
        accuracy_score,
        attitude_score,
        resolution_score,
        nps_scale,
        case when nps_scale = 'zero_to_ten' then cast(nps_answer as integer) end as nps_value,
        case
            when nps_scale = 'zero_to_ten' and cast(nps_answer as integer) >= 9 then 'promoter'
            when nps_scale = 'zero_to_ten' and cast(nps_answer as integer) >= 7 then 'passive'
            when nps_scale = 'zero_to_ten' and cast(nps_answer as integer) >= 0 then 'detractor'
        end as nps_category,
        csat_scale,
        is_csat_positive,
        loaded_at
    from {{ ref('stg_surveys__api_responses') }}
    where has_kpi_answer
),

csv as (
    -- A survey tool's own scale: its mapping says which scores count as satisfied
    -- (is_csat_positive, set at load); only a 5-point answer counts in the CSAT mean.
    select
        response_id,
        survey_source,
        submitted_at,
        cast(null as timestamp) as delivered_at,
        ticket_id,
        channel_reported,
        team_reported,
        case when csat_scale = 'five_point' then csat_value end as overall_score,
        csat_value,
        csat_scale_min,
        csat_scale_max,
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
        csat_scale,
        is_csat_positive,
        loaded_at
    from {{ ref('stg_surveys__csv_responses') }}
),

-- Zendesk's newer CSAT, rated responses only: a skipped rating is no CSAT answer. Its rating scale
-- question maps every option (numeric, emoji or custom text) to a 1-5 rating.
zendesk_surveys as (
    select
        {{ dbt.concat(["'zendesk-survey-'", "survey_response_id"]) }} as response_id,
        'zendesk_csat_survey' as survey_source,
        submitted_at,
        updated_at as delivered_at,
        ticket_id,
        cast(null as varchar) as channel_reported,
        cast(null as varchar) as team_reported,
        rating as overall_score,
        rating as csat_value,
        1 as csat_scale_min,
        5 as csat_scale_max,
        cast(null as integer) as speed_score,
        cast(null as integer) as accuracy_score,
        cast(null as integer) as attitude_score,
        cast(null as integer) as resolution_score,
        cast(null as varchar) as nps_scale,
        cast(null as integer) as nps_value,
        cast(null as varchar) as nps_category,
        'five_point' as csat_scale,
        rating >= 4 as is_csat_positive,
        loaded_at
    from {{ ref('stg_zendesk__csat_survey_responses') }}
    where is_rated
),

-- Answered ratings only: an offered rating nobody answered is no response. An account has one CSAT
-- option active at a time, but Zendesk shows the newer CSAT's answers as good / bad ratings too
-- (ticket views, Explore; whether the ratings list returns them the reference does not say): a
-- ticket rated on the newer CSAT keeps that response and not a good / bad copy of it.
zendesk_ratings as (
    select
        {{ dbt.concat(["'zendesk-csat-'", dbt.cast("rating_id", api.Column.translate_type("string"))]) }}
            as response_id,
        'zendesk_csat' as survey_source,
        updated_at as submitted_at,
        updated_at as delivered_at,
        ticket_id,
        cast(null as varchar) as channel_reported,
        cast(null as varchar) as team_reported,
        cast(null as integer) as overall_score,
        cast(null as integer) as csat_value,
        cast(null as integer) as csat_scale_min,
        cast(null as integer) as csat_scale_max,
        cast(null as integer) as speed_score,
        cast(null as integer) as accuracy_score,
        cast(null as integer) as attitude_score,
        cast(null as integer) as resolution_score,
        cast(null as varchar) as nps_scale,
        cast(null as integer) as nps_value,
        cast(null as varchar) as nps_category,
        'good_bad' as csat_scale,
        score = 'good' as is_csat_positive,
        loaded_at
    from {{ ref('stg_zendesk__satisfaction_ratings') }} as r
    where
        is_answered
        and not exists (select 1 from zendesk_surveys as s where s.ticket_id = r.ticket_id)
),

responses as (
    select * from api
    union all
    select * from csv
    union all
    select * from zendesk_surveys
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
