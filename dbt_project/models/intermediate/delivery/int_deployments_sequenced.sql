{#- Every deployment with its place among the successful deployments of its service.

    Successful deployments form sequences ordered by (finished_at, started_at, deployment_id):
    * per service, repository and tier `production` (every production environment together: a
      change reaches production once) — previous_successful_deployment_id, and the stream whose
      change sets are computed;
    * per service, repository and environment (other tiers use this one for
      previous_successful_deployment_id too) — for redeploys and rollbacks.
    is_redeploy: the SHA was already deployed successfully to the same environment before (the
    running release again, or an older one).
    is_rollback: a redeploy whose previous successful deployment to that environment had another
    SHA — it goes back to an older release; it rolls back every deployment made to that
    environment since the last one of its SHA (restored_environment_sequence + 1 … − 1).
    Failed and unfinished deployments have no place in the sequences (NULL). -#}
with deployments as (
    select * from {{ ref('int_deployments_unified') }}
),

commits as (
    select repository, sha from {{ ref('stg_git__commits') }}
),

successful as (
    select
        deployments.*,
        case when deployments.tier = 'production' then 'tier:production'
             else 'environment:' || deployments.environment end as stream_scope
    from deployments
    where deployments.is_successful
        and deployments.environment is not null
        and deployments.finished_at is not null
),

sequenced as (
    select
        successful.*,
        lag(deployment_id) over stream_order as previous_successful_deployment_id,
        lag(sha) over stream_order as previous_successful_sha,
        cast(row_number() over stream_order as integer) as stream_sequence,
        cast(row_number() over environment_order as integer) as environment_sequence,
        lag(sha) over environment_order as previous_environment_sha
    from successful
    window
        stream_order as (partition by service, repository, stream_scope
                         order by finished_at, started_at, deployment_id),
        environment_order as (partition by service, repository, environment
                              order by finished_at, started_at, deployment_id)
),

restored as (
    select
        later.deployment_id,
        max(earlier.environment_sequence) as restored_environment_sequence
    from sequenced as later
    inner join sequenced as earlier
        on earlier.service = later.service
        and earlier.repository = later.repository
        and earlier.environment = later.environment
        and earlier.sha = later.sha
        and earlier.environment_sequence < later.environment_sequence
    group by later.deployment_id
)

select
    deployments.*,
    sequenced.stream_scope,
    sequenced.stream_sequence,
    sequenced.previous_successful_deployment_id,
    sequenced.previous_successful_sha,
    sequenced.environment_sequence,
    restored.restored_environment_sequence,
    coalesce(restored.restored_environment_sequence is not null, false) as is_redeploy,
    coalesce(restored.restored_environment_sequence is not null
             and sequenced.previous_environment_sha <> deployments.sha, false) as is_rollback,
    exists (
        select 1 from commits
        where commits.repository = deployments.repository and commits.sha = deployments.sha
    ) as is_sha_in_git
from deployments
left join sequenced
    on sequenced.deployment_id = deployments.deployment_id
left join restored
    on restored.deployment_id = deployments.deployment_id
