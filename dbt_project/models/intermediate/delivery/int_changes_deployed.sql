{#- One row per change (pull request or directly pushed commit) that reached production, with
    the production deployment that first shipped it: the earliest (finished_at, deployment_id)
    first deployment of any of its commits.

    first_commit_at: the earliest author date among the pull request's own commits as it lists
    them now (rebased commits keep their old author dates); when none are landed, the earliest
    author date of its commits in the history; a directly pushed commit's own author date.

    is_counted: false when the change first reached production with the first deployment of its
    service and var dora_count_first_deployment_changes is false (a baseline: when those commits
    really reached production is unknown); such changes have no lead time. -#}
with assigned as (
    select * from {{ ref('int_commit_changes_assigned') }}
),

change_sets as (
    select * from {{ ref('int_deployment_change_sets_computed') }}
    where is_first_deployment
),

deployments as (
    select deployment_id, finished_at, service from {{ ref('int_deployments_sequenced') }}
),

commits as (
    select repository, sha, authored_at, author_name, author_email from {{ ref('stg_git__commits') }}
),

pull_requests as (
    select * from {{ ref('stg_github__pull_requests') }}
),

pr_own_commits as (
    select source, pull_request_id, min(authored_at) as first_commit_at
    from {{ ref('int_pull_request_commits_linked') }}
    where link_method = 'pr_commit'
    group by source, pull_request_id
),

first_shipped as (
    select
        assigned.change_id,
        assigned.change_type,
        assigned.repository,
        assigned.pull_request_source,
        assigned.pull_request_id,
        assigned.pull_request_number,
        assigned.sha,
        change_sets.deployment_id,
        change_sets.is_first_stream_deployment,
        deployments.service,
        deployments.finished_at
    from assigned
    inner join change_sets
        on change_sets.repository = assigned.repository
        and change_sets.sha = assigned.sha
    inner join deployments
        on deployments.deployment_id = change_sets.deployment_id
),

ranked as (
    select
        first_shipped.*,
        row_number() over (
            partition by change_id order by finished_at, deployment_id
        ) as deployment_rank,
        min(finished_at) over (partition by change_id) as first_finished_at
    from first_shipped
),

chosen as (
    select * from ranked where deployment_rank = 1
),

commit_counts as (
    select ranked.change_id, count(*) as commit_count
    from ranked
    inner join chosen
        on chosen.change_id = ranked.change_id
        and chosen.deployment_id = ranked.deployment_id
    group by ranked.change_id
),

change_commit_dates as (
    select assigned.change_id, min(commits.authored_at) as first_authored_at
    from assigned
    inner join commits
        on commits.repository = assigned.repository
        and commits.sha = assigned.sha
    group by assigned.change_id
)

select
    chosen.change_id,
    chosen.change_type,
    chosen.repository,
    chosen.service,
    chosen.pull_request_source,
    chosen.pull_request_id,
    chosen.pull_request_number,
    case when chosen.change_type = 'commit' then chosen.sha else pull_requests.merge_commit_sha end as commit_sha,
    coalesce(pr_own_commits.first_commit_at, change_commit_dates.first_authored_at) as first_commit_at,
    case
        when chosen.change_type = 'pull_request'
            then {{ streamgauge.is_bot_account('pull_requests.author_login', 'pull_requests.author_type') }}
        else {{ streamgauge.is_bot_account('commits.author_name') }}
    end as is_bot_author,
    chosen.deployment_id,
    chosen.finished_at as deployed_at,
    cast(commit_counts.commit_count as integer) as commit_count,
    chosen.is_first_stream_deployment as is_first_deployment_of_service,
    {% if var('dora_count_first_deployment_changes', true) %}true{% else %}not chosen.is_first_stream_deployment{% endif %} as is_counted
from chosen
inner join commit_counts
    on commit_counts.change_id = chosen.change_id
inner join change_commit_dates
    on change_commit_dates.change_id = chosen.change_id
left join pull_requests
    on pull_requests.source = chosen.pull_request_source
    and pull_requests.pull_request_id = chosen.pull_request_id
left join pr_own_commits
    on pr_own_commits.source = chosen.pull_request_source
    and pr_own_commits.pull_request_id = chosen.pull_request_id
left join commits
    on commits.repository = chosen.repository
    and commits.sha = chosen.sha
