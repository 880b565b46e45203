{#- One row per deployment status (latest landed version). workflow_run_id is the GitHub Actions
    run named by the status's log or target URL (…/actions/runs/<id>/…), when there is one. -#}
with latest_statuses as (
    {{ streamgauge.latest_raw_records('github', 'github_deployment_statuses') }}
),

flattened as (
    select
        source,
        coalesce({{ streamgauge.json_extract_text('payload', 'id') }}, record_id) as status_id,
        coalesce(parent_id, {{ streamgauge.regex_extract(streamgauge.json_extract_text('payload', 'deployment_url'), "'/deployments/([0-9]+)$'", 1) }}) as github_deployment_id,
        lower({{ streamgauge.regex_extract(streamgauge.json_extract_text('payload', 'repository_url'), "'/repos/([^/]+/[^/]+)$'", 1) }}) as repository,
        lower({{ streamgauge.json_extract_text('payload', 'state') }}) as state,
        {{ streamgauge.json_extract_text('payload', 'environment') }} as environment,
        {{ streamgauge.json_extract_text('payload', 'description') }} as description,
        {{ streamgauge.json_extract_text('payload', 'target_url') }} as target_url,
        {{ streamgauge.json_extract_text('payload', 'log_url') }} as log_url,
        {{ streamgauge.json_extract_text('payload', 'environment_url') }} as environment_url,
        {{ streamgauge.json_extract_text('payload', 'creator.login') }} as creator_login,
        {{ streamgauge.iso_to_utc_timestamp(streamgauge.json_extract_text('payload', 'created_at')) }} as created_at,
        {{ streamgauge.iso_to_utc_timestamp(streamgauge.json_extract_text('payload', 'updated_at')) }} as updated_at,
        fetched_at
    from latest_statuses
)

select
    flattened.*,
    {{ streamgauge.safe_cast_integer('status_id') }} as status_id_number,
    coalesce(
        {{ streamgauge.regex_extract('log_url', "'/actions/runs/([0-9]+)'", 1) }},
        {{ streamgauge.regex_extract('target_url', "'/actions/runs/([0-9]+)'", 1) }}
    ) as workflow_run_id
from flattened
