{#- One row per key of the hand-built feature_usage.csv (a flag key or an issue key): adoption % and
    NPS gain as the team declared them. Across product sources the latest fetched wins. -#}
with latest as (
    {{ streamgauge.latest_raw_records('product_files', 'product_feature_usage') }}
),

flattened as (
    select
        source,
        trim({{ streamgauge.json_extract_text('payload', 'key') }}) as feature_key,
        cast({{ streamgauge.json_extract_text('payload', 'adoption_pct') }} as double) as adoption_pct,
        cast({{ streamgauge.json_extract_text('payload', 'nps_gain') }} as double) as nps_gain,
        request,
        fetched_at
    from latest
)

{{ streamgauge.select_first_per('flattened', 'feature_key', 'fetched_at desc, source') }}
