{#- One row per product source, feature and UTC day of the usage export: its latest landed version.
    Incremental: a refresh flattens only the records with a newly landed version. -#}
{{ config(materialized='incremental', unique_key=['source', 'feature_key', 'usage_date'], incremental_strategy='delete+insert') }}
{%- set usage_fields = [
    'feature_key',
    'date',
    'eligible_active_users',
    'users_who_used',
] -%}

with latest as (
    {{ streamgauge.latest_changed_raw_records('product_files', 'product_usage_daily') }}
),

parsed as (
    select latest.*, {{ streamgauge.json_extract_texts('payload', usage_fields) }} as payload_texts
    from latest
)

select
    source,
    {{ streamgauge.json_text_in('payload_texts', usage_fields, 'feature_key') }} as feature_key,
    cast({{ streamgauge.json_text_in('payload_texts', usage_fields, 'date') }} as date) as usage_date,
    {{ streamgauge.safe_cast_integer(streamgauge.json_text_in('payload_texts', usage_fields, 'eligible_active_users')) }} as eligible_active_users,
    {{ streamgauge.safe_cast_integer(streamgauge.json_text_in('payload_texts', usage_fields, 'users_who_used')) }} as users_who_used,
    request,
    fetched_at
from parsed
