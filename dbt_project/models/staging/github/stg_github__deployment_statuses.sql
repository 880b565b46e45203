{#- One row per deployment status (latest landed version). workflow_run_id is the GitHub Actions
    run named by the status's log or target URL (…/actions/runs/<id>/…), when there is one.
    Incremental: a refresh flattens only the records with a newly landed version. -#}
{{ config(materialized='incremental', unique_key=['source', 'status_id'], incremental_strategy='delete+insert') }}
{%- set status_fields = [
    'id',
    'deployment_url',
    'repository_url',
    'state',
    'environment',
    'description',
    'target_url',
    'log_url',
    'environment_url',
    'creator.login',
    'created_at',
    'updated_at',
] -%}

with latest_statuses as (
    {{ streamgauge.latest_changed_raw_records('github', 'github_deployment_statuses') }}
),

parsed as (
    select latest_statuses.*, {{ streamgauge.json_extract_texts('payload', status_fields) }} as payload_texts
    from latest_statuses
),

flattened as (
    select
        source,
        coalesce({{ streamgauge.json_text_in('payload_texts', status_fields, 'id') }}, record_id) as status_id,
        coalesce(parent_id, {{ streamgauge.regex_extract(streamgauge.json_text_in('payload_texts', status_fields, 'deployment_url'), "'/deployments/([0-9]+)$'", 1) }}) as github_deployment_id,
        lower({{ streamgauge.regex_extract(streamgauge.json_text_in('payload_texts', status_fields, 'repository_url'), "'/repos/([^/]+/[^/]+)$'", 1) }}) as repository,
        lower({{ streamgauge.json_text_in('payload_texts', status_fields, 'state') }}) as state,
        {{ streamgauge.json_text_in('payload_texts', status_fields, 'environment') }} as environment,
        {{ streamgauge.json_text_in('payload_texts', status_fields, 'description') }} as description,
        {{ streamgauge.json_text_in('payload_texts', status_fields, 'target_url') }} as target_url,
        {{ streamgauge.json_text_in('payload_texts', status_fields, 'log_url') }} as log_url,
        {{ streamgauge.json_text_in('payload_texts', status_fields, 'environment_url') }} as environment_url,
        {{ streamgauge.json_text_in('payload_texts', status_fields, 'creator.login') }} as creator_login,
        {{ streamgauge.iso_to_utc_timestamp(streamgauge.json_text_in('payload_texts', status_fields, 'created_at')) }} as created_at,
        {{ streamgauge.iso_to_utc_timestamp(streamgauge.json_text_in('payload_texts', status_fields, 'updated_at')) }} as updated_at,
        fetched_at
    from parsed
)

select
    flattened.*,
    {{ streamgauge.safe_cast_integer('status_id') }} as status_id_number,
    coalesce(
        {{ streamgauge.regex_extract('log_url', "'/actions/runs/([0-9]+)'", 1) }},
        {{ streamgauge.regex_extract('target_url', "'/actions/runs/([0-9]+)'", 1) }}
    ) as workflow_run_id
from flattened
