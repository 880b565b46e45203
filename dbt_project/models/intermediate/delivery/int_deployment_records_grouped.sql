{#- One row per deployment *record* — a GitHub deployment, or a workflow run that
    deployment_sources names a deployment — with the deployment it belongs to.

    Which records count, per repository: the deployment_sources rows of the highest specificity
    that match it (source and repository named > repository named > source named > `*`,`*`);
    `github_deployments` rows take the repository's GitHub deployments, `workflow_runs` rows the
    runs whose workflow name matches workflow_name_pattern (case-insensitive), deploying to the
    row's environment.

    Grouping (reruns are not extra deployments): the GitHub deployment records of one workflow run
    (named by their statuses' log or target URL) and one environment are one deployment — GitHub
    Actions creates a record per job attempt; a record with several statuses is one record. A
    workflow run is one deployment whatever its attempts. A run that a grouped GitHub deployment
    already stands for is not counted again.

    status: success, failure, canceled, in_progress, queued, pending or other. A GitHub record's
    status is its latest status other than `inactive` (GitHub marks a deployment inactive when a
    newer one replaces it; one that only ever shows inactive was successful); finished_at is the
    first status in that final state. A run's status comes from its latest attempt's conclusion
    (skipped runs are no deployment); finished_at is its updated_at once completed.

    The representative record of a deployment is its latest successful one (else its latest);
    the deployment takes its SHA, ref, status and finished_at, and the earliest record's start. -#}
with configured as (
    select
        coalesce(nullif(source, ''), '*') as source,
        lower(coalesce(nullif(repository, ''), '*')) as repository,
        lower(kind) as kind,
        nullif(workflow_name_pattern, '') as workflow_name_pattern,
        nullif(environment, '') as environment,
        case when coalesce(source, '*') <> '*' then 1 else 0 end
            + case when coalesce(repository, '*') <> '*' then 2 else 0 end as specificity
    from {{ ref('deployment_sources') }}
),

github_deployments as (
    select * from {{ ref('stg_github__deployments') }}
),

statuses as (
    select * from {{ ref('stg_github__deployment_statuses') }}
),

workflow_runs as (
    select * from {{ ref('stg_github__workflow_runs') }}
),

repositories as (
    select distinct source, repository from github_deployments
    union
    select distinct source, repository from workflow_runs
),

applicable as (
    select
        repositories.source as record_source,
        repositories.repository as record_repository,
        configured.*,
        rank() over (
            partition by repositories.source, repositories.repository
            order by configured.specificity desc
        ) as specificity_rank
    from repositories
    inner join configured
        on configured.source in (repositories.source, '*')
        and configured.repository in (repositories.repository, '*')
),

config as (
    select * from applicable where specificity_rank = 1
),

status_summary as (
    select
        source,
        github_deployment_id,
        max(workflow_run_id) as workflow_run_id,
        count(*) as status_count,
        min(case when state = 'success' then created_at end) as first_success_at,
        min(case when state in ('failure', 'error') then created_at end) as first_failure_at,
        min(case when state = 'inactive' then created_at end) as first_inactive_at
    from statuses
    group by source, github_deployment_id
),

latest_active_status as (
    select source, github_deployment_id, state
    from (
        select
            source,
            github_deployment_id,
            state,
            row_number() over (
                partition by source, github_deployment_id
                order by created_at desc, status_id_number desc nulls last, status_id desc
            ) as recency
        from statuses
        where state <> 'inactive'
    ) as ranked
    where recency = 1
),

github_records as (
    select
        github_deployments.source,
        github_deployments.repository,
        'github_deployment' as record_kind,
        github_deployments.github_deployment_id as native_id,
        status_summary.workflow_run_id,
        github_deployments.environment,
        github_deployments.sha,
        github_deployments.ref,
        github_deployments.description,
        github_deployments.creator_login,
        github_deployments.created_at as started_at,
        coalesce(latest_active_status.state,
                 case when status_summary.first_inactive_at is not null then 'inactive' end) as native_status,
        case
            when latest_active_status.state = 'success' then 'success'
            when latest_active_status.state in ('failure', 'error') then 'failure'
            when latest_active_status.state = 'in_progress' then 'in_progress'
            when latest_active_status.state in ('queued', 'pending') then 'queued'
            when latest_active_status.state is null and status_summary.first_inactive_at is not null then 'success'
            when latest_active_status.state is null then 'pending'
            else 'other'
        end as status,
        case
            when latest_active_status.state = 'success' then status_summary.first_success_at
            when latest_active_status.state in ('failure', 'error') then status_summary.first_failure_at
            when latest_active_status.state is null then status_summary.first_inactive_at
        end as finished_at,
        cast(1 as integer) as attempt_count
    from github_deployments
    inner join (select distinct record_source, record_repository from config where kind = 'github_deployments') as wanted
        on wanted.record_source = github_deployments.source
        and wanted.record_repository = github_deployments.repository
    left join status_summary
        on status_summary.source = github_deployments.source
        and status_summary.github_deployment_id = github_deployments.github_deployment_id
    left join latest_active_status
        on latest_active_status.source = github_deployments.source
        and latest_active_status.github_deployment_id = github_deployments.github_deployment_id
),

run_matches as (
    select
        workflow_runs.*,
        config.environment as configured_environment,
        -- a run deploys to one environment: the first matching row's (by pattern, then environment)
        row_number() over (
            partition by workflow_runs.source, workflow_runs.run_id
            order by config.workflow_name_pattern nulls last, config.environment
        ) as match_number
    from workflow_runs
    inner join config
        on config.record_source = workflow_runs.source
        and config.record_repository = workflow_runs.repository
        and config.kind = 'workflow_runs'
        and (config.workflow_name_pattern is null
             or {{ streamgauge.regex_matches_ci('workflow_runs.workflow_name', 'config.workflow_name_pattern') }})
),

run_records as (
    select
        source,
        repository,
        'workflow_run' as record_kind,
        run_id as native_id,
        run_id as workflow_run_id,
        configured_environment as environment,
        head_sha as sha,
        head_branch as ref,
        display_title as description,
        coalesce(triggering_actor_login, actor_login) as creator_login,
        created_at as started_at,
        coalesce(conclusion, status) as native_status,
        case
            when status = 'completed' and conclusion = 'success' then 'success'
            when status = 'completed' and conclusion in ('failure', 'timed_out', 'startup_failure') then 'failure'
            when status = 'completed' and conclusion = 'cancelled' then 'canceled'
            when status = 'completed' then 'other'
            when status = 'in_progress' then 'in_progress'
            else 'queued'
        end as status,
        case when status = 'completed' then updated_at end as finished_at,
        run_attempt as attempt_count
    from run_matches
    where match_number = 1
        and not (status = 'completed' and conclusion = 'skipped')
        -- a run already represented by the GitHub deployments it created
        and not exists (
            select 1
            from github_records
            where github_records.source = run_matches.source
                and github_records.repository = run_matches.repository
                and github_records.workflow_run_id = run_matches.run_id
        )
),

records as (
    select * from github_records
    union all
    select * from run_records
),

keyed as (
    select
        records.*,
        case
            when record_kind = 'github_deployment' and workflow_run_id is not null
                then 'run:' || workflow_run_id || ':' || coalesce(environment, '')
            else record_kind || ':' || native_id
        end as group_key
    from records
),

ranked as (
    select
        keyed.*,
        row_number() over (
            partition by source, repository, group_key
            order by case when status = 'success' then 0 else 1 end,
                     finished_at desc nulls last,
                     started_at desc,
                     {{ streamgauge.safe_cast_integer('native_id') }} desc nulls last,
                     native_id desc
        ) as representative_rank
    from keyed
)

select
    source,
    repository,
    record_kind,
    native_id,
    workflow_run_id,
    environment,
    sha,
    ref,
    description,
    creator_login,
    started_at,
    finished_at,
    native_status,
    status,
    cast(attempt_count as integer) as attempt_count,
    max(case when representative_rank = 1
             then source || case when record_kind = 'workflow_run' then ':run:' else ':deployment:' end || native_id end)
        over (partition by source, repository, group_key) as deployment_id,
    representative_rank = 1 as is_representative
from ranked
