{#- One row per commit of the landed history (repository, sha), with the change it belongs to and
    the production deployment that first shipped it. -#}
with commits as (
    select * from {{ ref('stg_git__commits') }}
),

assigned as (
    select * from {{ ref('int_commit_changes_assigned') }}
),

first_deployments as (
    select
        change_sets.repository,
        change_sets.sha,
        min(deployments.finished_at) as first_deployed_at,
        min(change_sets.deployment_id) as first_deployment_id
    from {{ ref('int_deployment_change_sets_computed') }} as change_sets
    inner join {{ ref('int_deployments_sequenced') }} as deployments
        on deployments.deployment_id = change_sets.deployment_id
    where change_sets.is_first_deployment
    group by change_sets.repository, change_sets.sha
)

select
    commits.repository,
    commits.sha,
    commits.source,
    commits.parent_shas,
    commits.parent_count,
    commits.is_merge,
    commits.author_name,
    commits.author_email,
    commits.authored_at,
    commits.committer_name,
    commits.committer_email,
    commits.committed_at,
    {{ streamgauge.hours_between('commits.authored_at', 'commits.committed_at') }} as author_to_commit_hours,
    commits.message_subject,
    commits.message,
    commits.additions,
    commits.deletions,
    commits.files_changed,
    commits.revert_of_sha,
    commits.revert_of_sha is not null as is_revert,
    {{ streamgauge.is_bot_account('commits.author_name') }} as is_bot_author,
    assigned.change_id,
    assigned.change_type,
    assigned.pull_request_number,
    assigned.link_method as pull_request_link_method,
    first_deployments.first_deployment_id,
    first_deployments.first_deployed_at
from commits
inner join assigned
    on assigned.repository = commits.repository
    and assigned.sha = commits.sha
left join first_deployments
    on first_deployments.repository = commits.repository
    and first_deployments.sha = commits.sha
