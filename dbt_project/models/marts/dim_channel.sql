{{ config(tags=['dimension']) }}
-- The fixed channel taxonomy of kpi-definitions.md. What is configured has one home each, read
-- here: a real-time channel is one of var realtime_channels (FCR counts its reply sessions), and
-- the first-response target is the lowest response level's (var response_level_order's first) in
-- the seed response_level_targets, which fct_tickets reads too.
with lowest_level_targets as (
    select channel, first_response_seconds
    from {{ ref('response_level_targets') }}
    where response_level = '{{ var("response_level_order")[0] }}'
)

select
    cast(taxonomy.channel as varchar) as channel,
    cast(taxonomy.channel_label as varchar) as channel_label,
    cast(taxonomy.channel in ({{ sql_list(var('realtime_channels')) }}) as boolean) as is_realtime,
    cast(t.first_response_seconds as bigint) as first_response_target_seconds
from (
    values
        ('phone', 'Phone'),
        ('chat', 'Online chat'),
        ('app', 'App'),
        ('wechat', 'WeChat'),
        ('social', 'Social media'),
        ('email', 'Email'),
        ('web_form', 'Web form'),
        ('other', 'Other')
) as taxonomy (channel, channel_label)
left join lowest_level_targets as t on t.channel = taxonomy.channel
