{#- One row per key of the hand-built feature_usage.csv (a flag key or an issue key): adoption % and
    NPS gain as the team declared them. Across product sources the latest fetched wins. -#}
{%- set usage_fields = [
    'key',
    'adoption_pct',
    'nps_gain',
] -%}

with latest as (
    {{ streamgauge.latest_raw_records('product_files', 'product_feature_usage') }}
),

parsed as (
    select latest.*, {{ streamgauge.json_extract_texts('payload', usage_fields) }} as payload_texts
    from latest
),

flattened as (
    select
        source,
        trim({{ streamgauge.json_text_in('payload_texts', usage_fields, 'key') }}) as feature_key,
        cast({{ streamgauge.json_text_in('payload_texts', usage_fields, 'adoption_pct') }} as double) as adoption_pct,
        cast({{ streamgauge.json_text_in('payload_texts', usage_fields, 'nps_gain') }} as double) as nps_gain,
        request,
        fetched_at
    from parsed
)

{{ streamgauge.select_first_per('flattened', 'feature_key', 'fetched_at desc, source') }}
