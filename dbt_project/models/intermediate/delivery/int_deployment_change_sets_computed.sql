{#- The change set of every successful production deployment: one row per (deployment, commit)
    for the commits reachable from its SHA and not from the SHA of the previous successful
    production deployment of the same service and repository (git ancestry, exact; the first
    deployment's change set is its whole history). is_first_deployment marks the deployment that
    first reached the commit: a commit appears again in a later change set only after a rollback
    took it out of production.

    A deployment whose SHA is not in the landed history (no git source for the repository, or a
    commit never fetched) has no change set and is left out of the sequence, so the next one is
    compared with the last deployment whose SHA is known. The recursion lives in the
    adapter-dispatched macro deployment_change_sets. -#}
with production as (
    select
        deployment_id,
        service,
        repository,
        sha,
        finished_at,
        started_at
    from {{ ref('int_deployments_sequenced') }}
    where tier = 'production'
        and stream_sequence is not null
        and is_sha_in_git
),

tips as (
    select
        service || '|' || repository as stream_key,
        cast(row_number() over (
            partition by service, repository order by finished_at, started_at, deployment_id
        ) - 1 as integer) as stream_index,
        repository,
        sha,
        deployment_id,
        service
    from production
),

commits as (
    select repository, sha from {{ ref('stg_git__commits') }}
),

edges as (
    select distinct parents.repository, parents.sha, parents.parent_sha
    from {{ ref('stg_git__commit_parents') }} as parents
    inner join commits
        on commits.repository = parents.repository
        and commits.sha = parents.parent_sha
),

change_sets as (
    {{ streamgauge.deployment_change_sets('tips', 'edges') }}
)

select
    tips.deployment_id,
    tips.service,
    change_sets.repository,
    change_sets.sha,
    change_sets.stream_index,
    change_sets.stream_index = 0 as is_first_stream_deployment,
    change_sets.is_first_deployment
from change_sets
inner join tips
    on tips.stream_key = change_sets.stream_key
    and tips.stream_index = change_sets.stream_index
