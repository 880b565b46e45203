{#- One row per workflow run: its latest attempt (highest run_attempt, then the latest version
    landed). A re-run is the same run id; created_at is when the first attempt was queued,
    run_started_at when the latest one started. -#}
with versions as (
    select
        source,
        record_id,
        parent_id,
        payload,
        fetched_at,
        payload_hash,
        {{ streamgauge.safe_cast_integer(streamgauge.json_extract_text('payload', 'run_attempt'), 'integer') }} as run_attempt
    from {{ streamgauge.optional_source('github', 'github_workflow_runs') }} as raw_versions
),

latest_attempts as (
    {{ streamgauge.select_first_per('versions', 'source, record_id', 'run_attempt desc nulls last, fetched_at desc, payload_hash desc') }}
)

select
    source,
    coalesce({{ streamgauge.json_extract_text('payload', 'id') }}, record_id) as run_id,
    lower(coalesce(parent_id, {{ streamgauge.json_extract_text('payload', 'repository.full_name') }})) as repository,
    {{ streamgauge.json_extract_text('payload', 'workflow_id') }} as workflow_id,
    {{ streamgauge.json_extract_text('payload', 'name') }} as workflow_name,
    {{ streamgauge.json_extract_text('payload', 'display_title') }} as display_title,
    {{ streamgauge.json_extract_text('payload', 'path') }} as workflow_path,
    {{ streamgauge.json_extract_text('payload', 'event') }} as event,
    {{ streamgauge.json_extract_text('payload', 'head_branch') }} as head_branch,
    lower({{ streamgauge.json_extract_text('payload', 'head_sha') }}) as head_sha,
    {{ streamgauge.safe_cast_integer(streamgauge.json_extract_text('payload', 'run_number'), 'integer') }} as run_number,
    coalesce(run_attempt, 1) as run_attempt,
    lower({{ streamgauge.json_extract_text('payload', 'status') }}) as status,
    lower({{ streamgauge.json_extract_text('payload', 'conclusion') }}) as conclusion,
    {{ streamgauge.json_extract_text('payload', 'actor.login') }} as actor_login,
    {{ streamgauge.json_extract_text('payload', 'triggering_actor.login') }} as triggering_actor_login,
    {{ streamgauge.iso_to_utc_timestamp(streamgauge.json_extract_text('payload', 'created_at')) }} as created_at,
    {{ streamgauge.iso_to_utc_timestamp(streamgauge.json_extract_text('payload', 'run_started_at')) }} as run_started_at,
    {{ streamgauge.iso_to_utc_timestamp(streamgauge.json_extract_text('payload', 'updated_at')) }} as updated_at,
    fetched_at
from latest_attempts
