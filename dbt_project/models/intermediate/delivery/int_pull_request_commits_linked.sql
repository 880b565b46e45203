{#- Pull requests ↔ commits, one row per (pull request, commit, link_method):

    * pr_commit — a commit the PR lists now: reachable from the PR's head SHA through the listed
      commits' parents (commits force-pushed away stay landed but are left out; when the head is
      not among the landed commits, every listed commit is kept);
    * merge_commit — the PR's merge_commit_sha, for merged PRs: the merge commit, the squash commit,
      or the last commit of a rebase merge;
    * rebased_copy — a commit of the repository's history that is not listed by any PR but has the
      same author e-mail, author date and message as a commit the merged PR lists (what a rebase
      merge or a cherry-pick writes: new SHAs, the same authorship).

    authored_at is the commit's author date (from the PR's list, else from git); is_in_git tells
    whether the commit is in the landed history. -#}
with recursive pull_requests as (
    select * from {{ ref('stg_github__pull_requests') }}
),

listed as (
    select
        pr_commits.*,
        pull_requests.repository as pr_repository
    from {{ ref('stg_github__pull_request_commits') }} as pr_commits
    inner join pull_requests
        on pull_requests.source = pr_commits.source
        and pull_requests.pull_request_id = pr_commits.pull_request_id
),

git_commits as (
    select * from {{ ref('stg_git__commits') }}
),

current_walk(source, pull_request_id, sha) as (
    select listed.source, listed.pull_request_id, listed.sha
    from listed
    inner join pull_requests
        on pull_requests.source = listed.source
        and pull_requests.pull_request_id = listed.pull_request_id
        and pull_requests.head_sha = listed.sha
    union
    select listed.source, listed.pull_request_id, listed.sha
    from current_walk
    inner join listed as child
        on child.source = current_walk.source
        and child.pull_request_id = current_walk.pull_request_id
        and child.sha = current_walk.sha
    {{ streamgauge.list_elements_join('child.parent_shas', 'parents') }}
    inner join listed
        on listed.source = current_walk.source
        and listed.pull_request_id = current_walk.pull_request_id
        and listed.sha = lower(parents.element)
),

head_found as (
    select distinct source, pull_request_id from current_walk
),

current_commits as (
    select listed.*
    from listed
    where exists (
            select 1 from current_walk
            where current_walk.source = listed.source
                and current_walk.pull_request_id = listed.pull_request_id
                and current_walk.sha = listed.sha
        )
        or not exists (
            select 1 from head_found
            where head_found.source = listed.source
                and head_found.pull_request_id = listed.pull_request_id
        )
),

pr_commit_links as (
    select
        current_commits.source,
        current_commits.pull_request_id,
        current_commits.pr_repository as repository,
        current_commits.sha,
        'pr_commit' as link_method,
        coalesce(current_commits.authored_at, git_commits.authored_at) as authored_at
    from current_commits
    left join git_commits
        on git_commits.repository = current_commits.pr_repository
        and git_commits.sha = current_commits.sha
),

merge_commit_links as (
    select
        pull_requests.source,
        pull_requests.pull_request_id,
        pull_requests.repository,
        pull_requests.merge_commit_sha as sha,
        'merge_commit' as link_method,
        git_commits.authored_at
    from pull_requests
    left join git_commits
        on git_commits.repository = pull_requests.repository
        and git_commits.sha = pull_requests.merge_commit_sha
    where pull_requests.merge_commit_sha is not null
),

claimed as (
    select repository, sha from pr_commit_links
    union
    select repository, sha from merge_commit_links
),

rebased_copy_links as (
    select distinct
        current_commits.source,
        current_commits.pull_request_id,
        current_commits.pr_repository as repository,
        git_commits.sha,
        'rebased_copy' as link_method,
        git_commits.authored_at
    from current_commits
    inner join pull_requests
        on pull_requests.source = current_commits.source
        and pull_requests.pull_request_id = current_commits.pull_request_id
        and pull_requests.is_merged
    inner join git_commits
        on git_commits.repository = current_commits.pr_repository
        and git_commits.author_email = current_commits.author_email
        and git_commits.authored_at = current_commits.authored_at
        and trim(git_commits.message) = trim(current_commits.message)
        and git_commits.sha <> current_commits.sha
    where not exists (
        select 1 from claimed
        where claimed.repository = git_commits.repository and claimed.sha = git_commits.sha
    )
),

links as (
    select * from pr_commit_links
    union all
    select * from merge_commit_links
    union all
    select * from rebased_copy_links
)

select
    links.source,
    links.pull_request_id,
    links.repository,
    pull_requests.number as pull_request_number,
    links.sha,
    links.link_method,
    links.authored_at,
    git_commits.sha is not null as is_in_git
from links
inner join pull_requests
    on pull_requests.source = links.source
    and pull_requests.pull_request_id = links.pull_request_id
left join git_commits
    on git_commits.repository = links.repository
    and git_commits.sha = links.sha
