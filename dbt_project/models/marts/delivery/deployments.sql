{#- One row per deployment, every tier: GitHub deployment records grouped per workflow run and
    environment, or a workflow run named a deployment (see int_deployment_records_grouped).
    DORA counts the rows with is_production and is_successful. -#}
with deployments as (
    select * from {{ ref('int_deployments_sequenced') }}
),

change_sets as (
    select
        deployment_id,
        count(*) as change_count,
        sum(case when is_first_deployment then 1 else 0 end) as new_commit_count,
        max(case when is_first_stream_deployment then 1 else 0 end) = 1 as is_first_of_service
    from {{ ref('int_deployment_change_sets_computed') }}
    group by deployment_id
),

reverts_shipped as (
    select distinct change_sets.deployment_id
    from {{ ref('int_deployment_change_sets_computed') }} as change_sets
    inner join {{ ref('stg_git__commits') }} as commits
        on commits.repository = change_sets.repository
        and commits.sha = change_sets.sha
    where change_sets.is_first_deployment
        and commits.revert_of_sha is not null
),

hotfix_changes as (
    select distinct changes.deployment_id
    from {{ ref('int_changes_deployed') }} as changes
    inner join {{ ref('stg_github__pull_requests') }} as pull_requests
        on pull_requests.source = changes.pull_request_source
        and pull_requests.pull_request_id = changes.pull_request_id
    where {{ streamgauge.is_hotfix_text('pull_requests.head_ref') }}
       or {{ streamgauge.is_hotfix_text('pull_requests.title') }}
),

failures as (
    select
        deployment_id,
        count(distinct incident_source || ':' || incident_id) as incident_count,
        count(*) as failure_link_count
    from {{ ref('int_deployment_failures_attributed') }}
    group by deployment_id
),

incidents as (
    select * from {{ ref('int_incidents_mapped') }}
),

incident_fixes as (
    select distinct deployments.deployment_id
    from deployments
    inner join incidents
        on incidents.service = deployments.service
        and incidents.created_at <= deployments.finished_at
        and incidents.resolved_at >= deployments.finished_at
        and {{ streamgauge.hours_between('deployments.finished_at', 'incidents.resolved_at') }}
            <= {{ var("dora_incident_fix_window_hours", 1) | float }}
    where deployments.tier = 'production' and deployments.is_successful
        and {{ var("dora_incident_fix_window_hours", 1) | float }} > 0
),

classified as (
    select
        deployments.*,
        change_sets.change_count,
        change_sets.new_commit_count,
        coalesce(change_sets.is_first_of_service, false) as is_first_of_service,
        deployments.tier = 'production' and deployments.is_successful as is_dora_deployment,
        coalesce({{ streamgauge.is_hotfix_text('deployments.ref') }}, false)
            or hotfix_changes.deployment_id is not null as is_hotfix,
        reverts_shipped.deployment_id is not null as ships_revert,
        incident_fixes.deployment_id is not null as is_incident_fix,
        failures.deployment_id is not null as has_failure,
        coalesce(failures.incident_count, 0) as failure_incident_count,
        coalesce(failures.failure_link_count, 0) as failure_link_count
    from deployments
    left join change_sets on change_sets.deployment_id = deployments.deployment_id
    left join hotfix_changes on hotfix_changes.deployment_id = deployments.deployment_id
    left join reverts_shipped on reverts_shipped.deployment_id = deployments.deployment_id
    left join incident_fixes on incident_fixes.deployment_id = deployments.deployment_id
    left join failures on failures.deployment_id = deployments.deployment_id
)

select
    deployment_id,
    source,
    repository,
    service,
    record_kind,
    github_deployment_id,
    workflow_run_id,
    environment,
    tier,
    sha,
    ref,
    description,
    creator_login,
    started_at,
    finished_at,
    {{ streamgauge.hours_between('started_at', 'finished_at') }} as duration_hours,
    {{ streamgauge.utc_to_local_date('finished_at', var('reporting_timezone', 'UTC')) }} as finished_date,
    status,
    native_status,
    tier = 'production' as is_production,
    is_successful,
    is_dora_deployment,
    record_count,
    failed_record_count,
    attempt_count,
    previous_successful_deployment_id,
    is_redeploy,
    is_rollback,
    is_hotfix,
    ships_revert,
    is_incident_fix,
    is_dora_deployment and (is_hotfix or is_rollback or ships_revert or is_incident_fix) as is_rework,
    case when is_dora_deployment then nullif(concat_ws(',',
        case when is_hotfix then 'hotfix' end,
        case when is_rollback then 'rollback' end,
        case when ships_revert then 'revert' end,
        case when is_incident_fix then 'incident_fix' end), '') end as rework_reasons,
    case
        when not is_dora_deployment then 'not_applicable'
        when not is_sha_in_git then 'sha_not_in_git'
        else 'computed'
    end as change_set_status,
    case when is_dora_deployment and is_sha_in_git then cast(coalesce(change_count, 0) as integer) end as change_count,
    case when is_dora_deployment and is_sha_in_git then cast(coalesce(new_commit_count, 0) as integer) end as new_commit_count,
    is_first_of_service,
    has_failure,
    cast(failure_incident_count as integer) as failure_incident_count,
    cast(failure_link_count as integer) as failure_link_count
from classified
