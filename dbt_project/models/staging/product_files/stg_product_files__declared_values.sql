{#- One row per declared item (upper-cased issue key): value, cost of delay per week and the credit
    weight it declares when it shares a flag. Across product sources the latest fetched wins. -#}
with latest as (
    {{ streamgauge.latest_raw_records('product_files', 'product_declared_values') }}
),

flattened as (
    select
        source,
        upper(trim({{ streamgauge.json_extract_text('payload', 'issue_key') }})) as issue_key,
        cast({{ streamgauge.json_extract_text('payload', 'value_usd') }} as double) as value_usd,
        cast({{ streamgauge.json_extract_text('payload', 'cost_of_delay_usd_per_week') }} as double) as cost_of_delay_usd_per_week,
        cast({{ streamgauge.json_extract_text('payload', 'credit_weight') }} as double) as credit_weight,
        request,
        fetched_at
    from latest
)

{{ streamgauge.select_first_per('flattened', 'issue_key', 'fetched_at desc, source') }}
