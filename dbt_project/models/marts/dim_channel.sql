{{ config(tags=['dimension']) }}
-- The fixed channel taxonomy of kpi-definitions.md, with the default first-response target.
select
    cast(channel as varchar) as channel,
    cast(channel_label as varchar) as channel_label,
    cast(is_realtime as boolean) as is_realtime,
    cast(first_response_target_seconds as bigint) as first_response_target_seconds
from (
    values
        ('phone', 'Phone', true, 20),
        ('chat', 'Online chat', true, 30),
        ('app', 'App', true, 30),
        ('wechat', 'WeChat', true, 30),
        ('social', 'Social media', false, 3600),
        ('email', 'Email', false, 14400),
        ('web_form', 'Web form', false, 14400),
        ('other', 'Other', false, 14400)
) as taxonomy (channel, channel_label, is_realtime, first_response_target_seconds)
