{#- One row per deployment (GitHub deployment records grouped per workflow run and environment,
    or a workflow run), with its service, environment tier and outcome.

    tier: the first environment_tiers row (by priority) whose pattern matches the environment name,
    lower-cased and trimmed (`other` when none does, `unknown` when the deployment names no
    environment). service: the services row of the repository (and of the GitHub source, when the
    row names one); a repository no row names is its own service, named after it. -#}
with records as (
    select * from {{ ref('int_deployment_records_grouped') }}
),

services as (
    select
        service,
        lower(repository) as repository,
        nullif(nullif(github_source, ''), '*') as github_source
    from {{ ref('services') }}
    where repository is not null
),

tiers as (
    select priority, environment_pattern, tier from {{ ref('environment_tiers') }}
),

deployments as (
    select
        deployment_id,
        source,
        repository,
        record_kind,
        case when record_kind = 'github_deployment' then native_id end as github_deployment_id,
        workflow_run_id,
        environment,
        lower(trim(environment)) as environment_normalised,
        sha,
        ref,
        description,
        creator_login,
        finished_at,
        native_status,
        status
    from records
    where is_representative
),

group_facts as (
    select
        deployment_id,
        min(started_at) as started_at,
        count(*) as record_count,
        sum(case when status = 'failure' then 1 else 0 end) as failed_record_count,
        max(attempt_count) as max_attempt_count
    from records
    group by deployment_id
),

tier_matches as (
    select
        deployments.deployment_id,
        tiers.tier,
        row_number() over (partition by deployments.deployment_id order by tiers.priority, tiers.environment_pattern) as preference
    from deployments
    inner join tiers
        on {{ streamgauge.regex_matches_ci('deployments.environment_normalised', 'tiers.environment_pattern') }}
),

service_matches as (
    select
        deployments.deployment_id,
        services.service,
        row_number() over (
            partition by deployments.deployment_id
            order by case when services.github_source is null then 1 else 0 end, services.service
        ) as preference
    from deployments
    inner join services
        on services.repository = deployments.repository
        and (services.github_source is null or services.github_source = deployments.source)
)

select
    deployments.deployment_id,
    deployments.source,
    deployments.repository,
    coalesce(service_matches.service, deployments.repository) as service,
    service_matches.service is not null as is_service_mapped,
    deployments.record_kind,
    deployments.github_deployment_id,
    deployments.workflow_run_id,
    deployments.environment,
    case
        when deployments.environment_normalised is null or deployments.environment_normalised = '' then 'unknown'
        else coalesce(tier_matches.tier, 'other')
    end as tier,
    deployments.sha,
    deployments.ref,
    deployments.description,
    deployments.creator_login,
    group_facts.started_at,
    deployments.finished_at,
    deployments.status,
    deployments.native_status,
    deployments.status = 'success' as is_successful,
    cast(group_facts.record_count as integer) as record_count,
    cast(group_facts.failed_record_count as integer) as failed_record_count,
    cast(case
        when deployments.record_kind = 'workflow_run' then group_facts.max_attempt_count
        else group_facts.record_count
    end as integer) as attempt_count
from deployments
inner join group_facts
    on group_facts.deployment_id = deployments.deployment_id
left join tier_matches
    on tier_matches.deployment_id = deployments.deployment_id
    and tier_matches.preference = 1
left join service_matches
    on service_matches.deployment_id = deployments.deployment_id
    and service_matches.preference = 1
