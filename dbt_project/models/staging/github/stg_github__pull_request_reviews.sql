{#- One row per pull request review (latest landed version). Pending reviews (not submitted) have
    no submitted_at. Incremental: a refresh flattens only the reviews with a newly landed version. -#}
{{ config(materialized='incremental', unique_key=['source', 'review_id'], incremental_strategy='delete+insert') }}
{%- set review_fields = [
    'id',
    'pull_request_url',
    'user.login',
    'user.type',
    'state',
    'author_association',
    'submitted_at',
    'commit_id',
] -%}

with latest_reviews as (
    {{ streamgauge.latest_changed_raw_records('github', 'github_pull_request_reviews') }}
),

parsed as (
    select latest_reviews.*, {{ streamgauge.json_extract_texts('payload', review_fields) }} as payload_texts
    from latest_reviews
)

select
    source,
    coalesce({{ streamgauge.json_text_in('payload_texts', review_fields, 'id') }}, record_id) as review_id,
    parent_id as pull_request_id,
    lower({{ streamgauge.regex_extract(streamgauge.json_text_in('payload_texts', review_fields, 'pull_request_url'), "'/repos/([^/]+/[^/]+)/pulls/'", 1) }}) as repository,
    {{ streamgauge.safe_cast_integer(streamgauge.regex_extract(streamgauge.json_text_in('payload_texts', review_fields, 'pull_request_url'), "'/pulls/([0-9]+)'", 1), 'integer') }} as pull_request_number,
    {{ streamgauge.json_text_in('payload_texts', review_fields, 'user.login') }} as reviewer_login,
    {{ streamgauge.json_text_in('payload_texts', review_fields, 'user.type') }} as reviewer_type,
    upper({{ streamgauge.json_text_in('payload_texts', review_fields, 'state') }}) as state,
    {{ streamgauge.json_text_in('payload_texts', review_fields, 'author_association') }} as author_association,
    {{ streamgauge.iso_to_utc_timestamp(streamgauge.json_text_in('payload_texts', review_fields, 'submitted_at')) }} as submitted_at,
    lower({{ streamgauge.json_text_in('payload_texts', review_fields, 'commit_id') }}) as commit_id,
    fetched_at
from parsed
