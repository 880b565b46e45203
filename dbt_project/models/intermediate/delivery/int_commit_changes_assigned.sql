{#- Every commit of the landed history with the change it belongs to. A change is a pull request
    — every commit made for it: the commits it lists, its merge or squash commit, the copies a
    rebase merge wrote — or, for a commit no pull request claims, the commit itself (pushed
    directly). A commit several pull requests claim (stacked branches) belongs to the one whose
    merge commit it is, else to the one that lists it, else to the one it is a rebased copy for;
    ties go to the merged pull request merged first, then the lowest number.

    change_id: `<owner/repo>#<number>` for a pull request, `<owner/repo>@<sha>` for a commit. -#}
with commits as (
    select * from {{ ref('stg_git__commits') }}
),

links as (
    select * from {{ ref('int_pull_request_commits_linked') }}
),

pull_requests as (
    select * from {{ ref('stg_github__pull_requests') }}
),

ranked_links as (
    select
        links.repository,
        links.sha,
        links.source as pull_request_source,
        links.pull_request_id,
        links.pull_request_number,
        links.link_method,
        row_number() over (
            partition by links.repository, links.sha
            order by case links.link_method when 'merge_commit' then 1 when 'pr_commit' then 2 else 3 end,
                     case when pull_requests.is_merged then 0 else 1 end,
                     pull_requests.merged_at nulls last,
                     links.pull_request_number,
                     links.source
        ) as preference
    from links
    inner join pull_requests
        on pull_requests.source = links.source
        and pull_requests.pull_request_id = links.pull_request_id
    where links.is_in_git
)

select
    commits.repository,
    commits.sha,
    case when ranked_links.pull_request_id is not null then 'pull_request' else 'commit' end as change_type,
    case
        when ranked_links.pull_request_id is not null
            then commits.repository || '#' || cast(ranked_links.pull_request_number as {{ dbt.type_string() }})
        else commits.repository || '@' || commits.sha
    end as change_id,
    ranked_links.pull_request_source,
    ranked_links.pull_request_id,
    ranked_links.pull_request_number,
    ranked_links.link_method
from commits
left join ranked_links
    on ranked_links.repository = commits.repository
    and ranked_links.sha = commits.sha
    and ranked_links.preference = 1
