{#- One row per pull request timeline event (latest landed version): committed, reviewed,
    review_requested, ready_for_review, convert_to_draft, head_ref_force_pushed, merged, closed …
    Incremental: a refresh flattens only the events with a newly landed version. -#}
{{ config(materialized='incremental', unique_key=['source', 'event_key'], incremental_strategy='delete+insert') }}
{%- set event_fields = [
    'event',
    'actor.login',
    'created_at',
    'submitted_at',
    'committer.date',
    'commit_id',
    'sha',
] -%}

with latest_events as (
    {{ streamgauge.latest_changed_raw_records('github', 'github_pull_request_timeline') }}
),

parsed as (
    select latest_events.*, {{ streamgauge.json_extract_texts('payload', event_fields) }} as payload_texts
    from latest_events
)

select
    source,
    record_id as event_key,
    parent_id as pull_request_id,
    lower({{ streamgauge.json_text_in('payload_texts', event_fields, 'event') }}) as event,
    {{ streamgauge.json_text_in('payload_texts', event_fields, 'actor.login') }} as actor_login,
    {{ streamgauge.iso_to_utc_timestamp("coalesce(" ~ streamgauge.json_text_in('payload_texts', event_fields, 'created_at') ~ ", "
        ~ streamgauge.json_text_in('payload_texts', event_fields, 'submitted_at') ~ ", "
        ~ streamgauge.json_text_in('payload_texts', event_fields, 'committer.date') ~ ")") }} as created_at,
    lower(coalesce({{ streamgauge.json_text_in('payload_texts', event_fields, 'commit_id') }},
                   {{ streamgauge.json_text_in('payload_texts', event_fields, 'sha') }})) as commit_sha,
    fetched_at
from parsed
