{#- One row per NPS survey response: score 0–10, promoter (9–10) / detractor (0–6), and the flag
    the respondent was exposed to when the survey tool knows it. -#}
{%- set response_fields = [
    'respondent_id',
    'score',
    'submitted_at',
    'flag_key',
] -%}

with latest as (
    {{ streamgauge.latest_raw_records('product_files', 'product_nps_responses') }}
),

parsed as (
    select latest.*, {{ streamgauge.json_extract_texts('payload', response_fields) }} as payload_texts
    from latest
),

flattened as (
    select
        source,
        record_id as response_id,
        {{ streamgauge.json_text_in('payload_texts', response_fields, 'respondent_id') }} as respondent_id,
        {{ streamgauge.safe_cast_integer(streamgauge.json_text_in('payload_texts', response_fields, 'score'), 'integer') }} as score,
        {{ streamgauge.iso_to_utc_timestamp(streamgauge.json_text_in('payload_texts', response_fields, 'submitted_at')) }} as submitted_at,
        nullif(trim({{ streamgauge.json_text_in('payload_texts', response_fields, 'flag_key') }}), '') as flag_key,
        request,
        fetched_at
    from parsed
)

select
    source,
    response_id,
    respondent_id,
    score,
    submitted_at,
    flag_key,
    score >= 9 as is_promoter,
    score <= 6 as is_detractor,
    request,
    fetched_at
from flattened
