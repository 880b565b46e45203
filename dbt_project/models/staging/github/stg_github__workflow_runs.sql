{#- One row per workflow run: its latest attempt (highest run_attempt, then the latest version
    landed). A re-run is the same run id; created_at is when the first attempt was queued,
    run_started_at when the latest one started. Incremental: a refresh reads only the runs with a
    newly landed version. -#}
{{ config(materialized='incremental', unique_key=['source', 'run_id'], incremental_strategy='delete+insert') }}
{%- set run_fields = [
    'id',
    'repository.full_name',
    'workflow_id',
    'name',
    'display_title',
    'path',
    'event',
    'head_branch',
    'head_sha',
    'run_number',
    'status',
    'conclusion',
    'actor.login',
    'triggering_actor.login',
    'created_at',
    'run_started_at',
    'updated_at',
] -%}

with versions as (
    select
        source,
        record_id,
        parent_id,
        payload,
        fetched_at,
        payload_hash,
        {{ streamgauge.safe_cast_integer(streamgauge.json_extract_text('payload', 'run_attempt'), 'integer') }} as run_attempt
    from {{ streamgauge.changed_raw_versions('github', 'github_workflow_runs') }} as raw_versions
),

latest_attempts as (
    {{ streamgauge.select_first_per('versions', 'source, record_id', 'run_attempt desc nulls last, fetched_at desc, payload_hash desc') }}
),

parsed as (
    select latest_attempts.*, {{ streamgauge.json_extract_texts('payload', run_fields) }} as payload_texts
    from latest_attempts
)

select
    source,
    coalesce({{ streamgauge.json_text_in('payload_texts', run_fields, 'id') }}, record_id) as run_id,
    lower(coalesce(parent_id, {{ streamgauge.json_text_in('payload_texts', run_fields, 'repository.full_name') }})) as repository,
    {{ streamgauge.json_text_in('payload_texts', run_fields, 'workflow_id') }} as workflow_id,
    {{ streamgauge.json_text_in('payload_texts', run_fields, 'name') }} as workflow_name,
    {{ streamgauge.json_text_in('payload_texts', run_fields, 'display_title') }} as display_title,
    {{ streamgauge.json_text_in('payload_texts', run_fields, 'path') }} as workflow_path,
    {{ streamgauge.json_text_in('payload_texts', run_fields, 'event') }} as event,
    {{ streamgauge.json_text_in('payload_texts', run_fields, 'head_branch') }} as head_branch,
    lower({{ streamgauge.json_text_in('payload_texts', run_fields, 'head_sha') }}) as head_sha,
    {{ streamgauge.safe_cast_integer(streamgauge.json_text_in('payload_texts', run_fields, 'run_number'), 'integer') }} as run_number,
    coalesce(run_attempt, 1) as run_attempt,
    lower({{ streamgauge.json_text_in('payload_texts', run_fields, 'status') }}) as status,
    lower({{ streamgauge.json_text_in('payload_texts', run_fields, 'conclusion') }}) as conclusion,
    {{ streamgauge.json_text_in('payload_texts', run_fields, 'actor.login') }} as actor_login,
    {{ streamgauge.json_text_in('payload_texts', run_fields, 'triggering_actor.login') }} as triggering_actor_login,
    {{ streamgauge.iso_to_utc_timestamp(streamgauge.json_text_in('payload_texts', run_fields, 'created_at')) }} as created_at,
    {{ streamgauge.iso_to_utc_timestamp(streamgauge.json_text_in('payload_texts', run_fields, 'run_started_at')) }} as run_started_at,
    {{ streamgauge.iso_to_utc_timestamp(streamgauge.json_text_in('payload_texts', run_fields, 'updated_at')) }} as updated_at,
    fetched_at
from parsed
