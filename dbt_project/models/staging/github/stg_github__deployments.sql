{#- One row per GitHub deployment record (latest landed version). GitHub Actions creates one per
    job attempt and environment; intermediate models group them into deployments. -#}
with latest_deployments as (
    {{ streamgauge.latest_raw_records('github', 'github_deployments') }}
)

select
    source,
    coalesce({{ streamgauge.json_extract_text('payload', 'id') }}, record_id) as github_deployment_id,
    lower(coalesce(parent_id, {{ streamgauge.regex_extract(streamgauge.json_extract_text('payload', 'repository_url'), "'/repos/([^/]+/[^/]+)$'", 1) }})) as repository,
    lower({{ streamgauge.json_extract_text('payload', 'sha') }}) as sha,
    {{ streamgauge.json_extract_text('payload', 'ref') }} as ref,
    {{ streamgauge.json_extract_text('payload', 'task') }} as task,
    {{ streamgauge.json_extract_text('payload', 'environment') }} as environment,
    {{ streamgauge.json_extract_text('payload', 'original_environment') }} as original_environment,
    {{ streamgauge.json_extract_text('payload', 'description') }} as description,
    {{ streamgauge.json_extract_text('payload', 'creator.login') }} as creator_login,
    {{ streamgauge.safe_cast_boolean(streamgauge.json_extract_text('payload', 'production_environment')) }} as is_production_environment,
    {{ streamgauge.safe_cast_boolean(streamgauge.json_extract_text('payload', 'transient_environment')) }} as is_transient_environment,
    {{ streamgauge.iso_to_utc_timestamp(streamgauge.json_extract_text('payload', 'created_at')) }} as created_at,
    {{ streamgauge.iso_to_utc_timestamp(streamgauge.json_extract_text('payload', 'updated_at')) }} as updated_at,
    fetched_at
from latest_deployments
