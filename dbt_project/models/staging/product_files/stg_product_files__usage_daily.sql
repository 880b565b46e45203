{#- One row per product source, feature and UTC day of the usage export: its latest landed version. -#}
with latest as (
    {{ streamgauge.latest_raw_records('product_files', 'product_usage_daily') }}
)

select
    source,
    {{ streamgauge.json_extract_text('payload', 'feature_key') }} as feature_key,
    cast({{ streamgauge.json_extract_text('payload', 'date') }} as date) as usage_date,
    {{ streamgauge.safe_cast_integer(streamgauge.json_extract_text('payload', 'eligible_active_users')) }} as eligible_active_users,
    {{ streamgauge.safe_cast_integer(streamgauge.json_extract_text('payload', 'users_who_used')) }} as users_who_used,
    request,
    fetched_at
from latest
