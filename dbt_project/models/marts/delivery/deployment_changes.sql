{#- One row per (successful production deployment, commit of its change set): the commits
    reachable from its SHA and not from the previous successful production deployment of the same
    service (git ancestry). is_first_deployment marks the deployment that first shipped the commit;
    a commit listed again later came back after a rollback. -#}
with change_sets as (
    select * from {{ ref('int_deployment_change_sets_computed') }}
),

commits as (
    select * from {{ ref('stg_git__commits') }}
),

assigned as (
    select * from {{ ref('int_commit_changes_assigned') }}
)

select
    change_sets.deployment_id,
    change_sets.service,
    change_sets.repository,
    change_sets.sha,
    change_sets.is_first_deployment,
    change_sets.is_first_stream_deployment as is_first_deployment_of_service,
    assigned.change_id,
    assigned.change_type,
    assigned.pull_request_number,
    commits.is_merge,
    commits.revert_of_sha is not null as is_revert,
    commits.authored_at,
    commits.committed_at,
    commits.message_subject
from change_sets
inner join commits
    on commits.repository = change_sets.repository
    and commits.sha = change_sets.sha
inner join assigned
    on assigned.repository = change_sets.repository
    and assigned.sha = change_sets.sha
