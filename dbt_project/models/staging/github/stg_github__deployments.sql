{#- One row per GitHub deployment record (latest landed version). GitHub Actions creates one per
    job attempt and environment; intermediate models group them into deployments. -#}
{%- set deployment_fields = [
    'id',
    'repository_url',
    'sha',
    'ref',
    'task',
    'environment',
    'original_environment',
    'description',
    'creator.login',
    'production_environment',
    'transient_environment',
    'created_at',
    'updated_at',
] -%}

with latest_deployments as (
    {{ streamgauge.latest_raw_records('github', 'github_deployments') }}
),

parsed as (
    select latest_deployments.*, {{ streamgauge.json_extract_texts('payload', deployment_fields) }} as payload_texts
    from latest_deployments
)

select
    source,
    coalesce({{ streamgauge.json_text_in('payload_texts', deployment_fields, 'id') }}, record_id) as github_deployment_id,
    lower(coalesce(parent_id, {{ streamgauge.regex_extract(streamgauge.json_text_in('payload_texts', deployment_fields, 'repository_url'), "'/repos/([^/]+/[^/]+)$'", 1) }})) as repository,
    lower({{ streamgauge.json_text_in('payload_texts', deployment_fields, 'sha') }}) as sha,
    {{ streamgauge.json_text_in('payload_texts', deployment_fields, 'ref') }} as ref,
    {{ streamgauge.json_text_in('payload_texts', deployment_fields, 'task') }} as task,
    {{ streamgauge.json_text_in('payload_texts', deployment_fields, 'environment') }} as environment,
    {{ streamgauge.json_text_in('payload_texts', deployment_fields, 'original_environment') }} as original_environment,
    {{ streamgauge.json_text_in('payload_texts', deployment_fields, 'description') }} as description,
    {{ streamgauge.json_text_in('payload_texts', deployment_fields, 'creator.login') }} as creator_login,
    {{ streamgauge.safe_cast_boolean(streamgauge.json_text_in('payload_texts', deployment_fields, 'production_environment')) }} as is_production_environment,
    {{ streamgauge.safe_cast_boolean(streamgauge.json_text_in('payload_texts', deployment_fields, 'transient_environment')) }} as is_transient_environment,
    {{ streamgauge.iso_to_utc_timestamp(streamgauge.json_text_in('payload_texts', deployment_fields, 'created_at')) }} as created_at,
    {{ streamgauge.iso_to_utc_timestamp(streamgauge.json_text_in('payload_texts', deployment_fields, 'updated_at')) }} as updated_at,
    fetched_at
from parsed
