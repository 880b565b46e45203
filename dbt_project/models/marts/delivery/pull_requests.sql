{#- One row per pull request with its review and delivery timeline (elapsed hours).

    coding  = first commit → opened
    pickup  = ready for review (opened when never seen as a draft) → first review by someone who
              is neither the author nor a bot (a submitted review: approved, changes requested,
              commented or dismissed)
    review  = that first review → merged
    deploy  = merged → the production deployment that first shipped the PR's change
    cycle   = first commit → that deployment
    The spans are given for merged PRs; a negative span (clocks, rebases, reviews before a reopen)
    is NULL and flagged in has_negative_span. Bot-authored PRs keep their figures but
    is_in_pr_metrics is false: PR metrics leave them out. -#}
with pull_requests as (
    select * from {{ ref('stg_github__pull_requests') }}
),

services as (
    select service, lower(repository) as repository from {{ ref('services') }} where repository is not null
),

links as (
    select * from {{ ref('int_pull_request_commits_linked') }}
),

commits as (
    select * from {{ ref('stg_git__commits') }}
),

reviews as (
    select reviews.*
    from {{ ref('stg_github__pull_request_reviews') }} as reviews
    where reviews.submitted_at is not null
        and reviews.state <> 'PENDING'
        and not {{ streamgauge.is_bot_account('reviews.reviewer_login', 'reviews.reviewer_type') }}
),

first_reviews as (
    select source, pull_request_id, submitted_at as first_review_at, reviewer_login as first_reviewer_login
    from (
        select
            reviews.source,
            reviews.pull_request_id,
            reviews.submitted_at,
            reviews.reviewer_login,
            row_number() over (
                partition by reviews.source, reviews.pull_request_id
                order by reviews.submitted_at, reviews.review_id
            ) as review_rank
        from reviews
        inner join pull_requests
            on pull_requests.source = reviews.source
            and pull_requests.pull_request_id = reviews.pull_request_id
        where lower(reviews.reviewer_login) <> lower(coalesce(pull_requests.author_login, ''))
    ) as ranked
    where review_rank = 1
),

own_commits as (
    select
        links.source,
        links.pull_request_id,
        min(links.authored_at) as first_commit_at,
        count(*) as listed_commit_count,
        sum(commits.additions + commits.deletions) as listed_commit_lines,
        count(commits.sha) as listed_commits_in_git
    from links
    left join commits
        on commits.repository = links.repository
        and commits.sha = links.sha
    where links.link_method = 'pr_commit'
    group by links.source, links.pull_request_id
),

rebased_commits as (
    -- a rebase merge: the copies it wrote and its last commit (merge_commit_sha)
    select links.source, links.pull_request_id, sum(commits.additions + commits.deletions) as lines
    from links
    inner join commits
        on commits.repository = links.repository
        and commits.sha = links.sha
    where links.link_method in ('rebased_copy', 'merge_commit')
        and exists (
            select 1 from links as copies
            where copies.source = links.source
                and copies.pull_request_id = links.pull_request_id
                and copies.link_method = 'rebased_copy'
        )
    group by links.source, links.pull_request_id
),

squash_commits as (
    select pull_requests.source, pull_requests.pull_request_id, commits.additions + commits.deletions as lines
    from pull_requests
    inner join commits
        on commits.repository = pull_requests.repository
        and commits.sha = pull_requests.merge_commit_sha
        and commits.parent_count = 1
),

changes as (
    select * from {{ ref('int_changes_deployed') }}
    where change_type = 'pull_request' and is_counted
),

timeline as (
    select
        pull_requests.*,
        coalesce(services.service, pull_requests.repository) as service,
        {{ streamgauge.is_bot_account('pull_requests.author_login', 'pull_requests.author_type') }} as is_bot_author,
        coalesce(pull_requests.ready_for_review_at, pull_requests.created_at) as review_ready_at,
        first_reviews.first_review_at,
        first_reviews.first_reviewer_login,
        coalesce(own_commits.first_commit_at, changes.first_commit_at) as first_commit_at,
        own_commits.listed_commit_count,
        changes.deployment_id,
        changes.deployed_at,
        cast(case
            when pull_requests.additions is not null and pull_requests.deletions is not null
                then pull_requests.additions + pull_requests.deletions
            when rebased_commits.lines is not null then rebased_commits.lines
            when squash_commits.lines is not null then squash_commits.lines
            when own_commits.listed_commits_in_git > 0 and own_commits.listed_commits_in_git = own_commits.listed_commit_count
                then own_commits.listed_commit_lines
        end as {{ dbt.type_bigint() }}) as size_lines,
        case
            when pull_requests.additions is not null and pull_requests.deletions is not null then 'pull_request'
            when rebased_commits.lines is not null then 'rebased_commits'
            when squash_commits.lines is not null then 'squash_commit'
            when own_commits.listed_commits_in_git > 0 and own_commits.listed_commits_in_git = own_commits.listed_commit_count
                then 'commits'
        end as size_source
    from pull_requests
    left join services
        on services.repository = pull_requests.repository
    left join first_reviews
        on first_reviews.source = pull_requests.source
        and first_reviews.pull_request_id = pull_requests.pull_request_id
    left join own_commits
        on own_commits.source = pull_requests.source
        and own_commits.pull_request_id = pull_requests.pull_request_id
    left join rebased_commits
        on rebased_commits.source = pull_requests.source
        and rebased_commits.pull_request_id = pull_requests.pull_request_id
    left join squash_commits
        on squash_commits.source = pull_requests.source
        and squash_commits.pull_request_id = pull_requests.pull_request_id
    left join changes
        on changes.pull_request_source = pull_requests.source
        and changes.pull_request_id = pull_requests.pull_request_id
),

spans as (
    select
        timeline.*,
        case when is_merged then {{ streamgauge.hours_between('first_commit_at', 'created_at') }} end as raw_coding_hours,
        case when is_merged then {{ streamgauge.hours_between('review_ready_at', 'first_review_at') }} end as raw_pickup_hours,
        case when is_merged then {{ streamgauge.hours_between('first_review_at', 'merged_at') }} end as raw_review_hours,
        case when is_merged then {{ streamgauge.hours_between('merged_at', 'deployed_at') }} end as raw_deploy_hours,
        case when is_merged then {{ streamgauge.hours_between('first_commit_at', 'deployed_at') }} end as raw_cycle_hours
    from timeline
)

select
    source,
    pull_request_id,
    repository,
    service,
    number,
    repository || '#' || cast(number as {{ dbt.type_string() }}) as change_id,
    title,
    state,
    is_draft,
    is_merged,
    author_login,
    is_bot_author,
    head_ref,
    base_ref,
    labels,
    {{ streamgauge.is_hotfix_text('head_ref') }} or {{ streamgauge.is_hotfix_text('title') }} as is_hotfix,
    created_at,
    ready_for_review_at,
    review_ready_at,
    first_review_at,
    first_reviewer_login,
    merged_at,
    closed_at,
    merge_commit_sha,
    first_commit_at,
    deployment_id,
    deployed_at,
    cast(coalesce(listed_commit_count, commit_count) as integer) as commit_count,
    additions,
    deletions,
    size_lines,
    size_source,
    case when raw_coding_hours >= 0 then raw_coding_hours end as coding_hours,
    case when raw_pickup_hours >= 0 then raw_pickup_hours end as pickup_hours,
    case when raw_review_hours >= 0 then raw_review_hours end as review_hours,
    case when raw_deploy_hours >= 0 then raw_deploy_hours end as deploy_hours,
    case when raw_cycle_hours >= 0 then raw_cycle_hours end as cycle_hours,
    coalesce(raw_coding_hours < 0 or raw_pickup_hours < 0 or raw_review_hours < 0
             or raw_deploy_hours < 0 or raw_cycle_hours < 0, false) as has_negative_span,
    is_merged and not is_bot_author as is_in_pr_metrics
from spans
