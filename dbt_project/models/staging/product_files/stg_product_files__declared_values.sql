{#- One row per declared item (upper-cased issue key): value, cost of delay per week and the credit
    weight it declares when it shares a flag. Across product sources the latest fetched wins. -#}
{%- set declared_value_fields = [
    'issue_key',
    'value_usd',
    'cost_of_delay_usd_per_week',
    'credit_weight',
] -%}

with latest as (
    {{ streamgauge.latest_raw_records('product_files', 'product_declared_values') }}
),

parsed as (
    select latest.*, {{ streamgauge.json_extract_texts('payload', declared_value_fields) }} as payload_texts
    from latest
),

flattened as (
    select
        source,
        upper(trim({{ streamgauge.json_text_in('payload_texts', declared_value_fields, 'issue_key') }})) as issue_key,
        cast({{ streamgauge.json_text_in('payload_texts', declared_value_fields, 'value_usd') }} as double) as value_usd,
        cast({{ streamgauge.json_text_in('payload_texts', declared_value_fields, 'cost_of_delay_usd_per_week') }} as double) as cost_of_delay_usd_per_week,
        cast({{ streamgauge.json_text_in('payload_texts', declared_value_fields, 'credit_weight') }} as double) as credit_weight,
        request,
        fetched_at
    from parsed
)

{{ streamgauge.select_first_per('flattened', 'issue_key', 'fetched_at desc, source') }}
