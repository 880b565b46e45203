{#- Flow items ↔ pull requests, commits and production deployments. One row per (flow item,
    linked object, link_source):

    * pull_request — an issue key in the PR's head branch (link_source branch; matched ignoring
      case, branches are often lower-cased) or in its title (pr_title; upper-case keys only);
    * commit — an issue key in the message of a commit of the landed history or listed by a pull
      request (commit_message; upper-case keys only);
    * deployment — the production deployment that first shipped a linked change (the PR's change,
      or the change a linked commit belongs to), with the link_source of that link. Only counted
      changes (see int_changes_deployed) have one.

    Keys are PROJECT-123 tokens matched against every key a flow item has had: its current key and
    the keys it had before it moved between projects (Jira's `Key` changelog items). Keys of issues
    that are not flow items (epics, sub-tasks) link nothing. -#}
with flow_items as (
    select source, issue_id, issue_key
    from {{ ref('int_issue_ancestors_resolved') }}
    where is_flow_item
),

key_history as (
    select items.source, items.issue_id, items.from_string as issue_key
    from {{ ref('stg_jira__changelog_items') }} as items
    where lower(items.field) = 'key' and items.from_string is not null
    union
    select items.source, items.issue_id, items.to_string as issue_key
    from {{ ref('stg_jira__changelog_items') }} as items
    where lower(items.field) = 'key' and items.to_string is not null
),

known_keys as (
    select source, issue_id, issue_key from flow_items
    union
    select key_history.source, key_history.issue_id, key_history.issue_key
    from key_history
    inner join flow_items
        on flow_items.source = key_history.source
        and flow_items.issue_id = key_history.issue_id
),

pull_requests as (
    select * from {{ ref('stg_github__pull_requests') }}
),

pr_mentions as (
    select pull_requests.source, pull_requests.pull_request_id, keys.element as matched_key, 'branch' as link_source
    from pull_requests
    {{ streamgauge.list_elements_join(streamgauge.issue_keys_in('upper(pull_requests.head_ref)'), 'keys') }}
    union
    select pull_requests.source, pull_requests.pull_request_id, keys.element as matched_key, 'pr_title' as link_source
    from pull_requests
    {{ streamgauge.list_elements_join(streamgauge.issue_keys_in('pull_requests.title'), 'keys') }}
),

messages as (
    select repository, sha, message, authored_at from {{ ref('stg_git__commits') }}
    union
    select listed.repository, listed.sha, listed.message, listed.authored_at
    from {{ ref('stg_github__pull_request_commits') }} as listed
    where listed.repository is not null
        and not exists (
            select 1 from {{ ref('stg_git__commits') }} as commits
            where commits.repository = listed.repository and commits.sha = listed.sha
        )
),

commit_mentions as (
    select distinct messages.repository, messages.sha, messages.authored_at, keys.element as matched_key
    from messages
    {{ streamgauge.list_elements_join(streamgauge.issue_keys_in('messages.message'), 'keys') }}
),

pr_links as (
    select
        known_keys.source,
        known_keys.issue_id,
        'pull_request' as link_type,
        pr_mentions.link_source,
        min(pr_mentions.matched_key) as matched_key,
        pull_requests.repository,
        pull_requests.source as pull_request_source,
        pull_requests.pull_request_id,
        pull_requests.number as pull_request_number,
        cast(null as {{ dbt.type_string() }}) as commit_sha,
        min(pull_requests.created_at) as linked_at
    from pr_mentions
    inner join known_keys
        on known_keys.issue_key = pr_mentions.matched_key
    inner join pull_requests
        on pull_requests.source = pr_mentions.source
        and pull_requests.pull_request_id = pr_mentions.pull_request_id
    group by known_keys.source, known_keys.issue_id, pr_mentions.link_source, pull_requests.repository,
             pull_requests.source, pull_requests.pull_request_id, pull_requests.number
),

commit_links as (
    select
        known_keys.source,
        known_keys.issue_id,
        'commit' as link_type,
        'commit_message' as link_source,
        min(commit_mentions.matched_key) as matched_key,
        commit_mentions.repository,
        cast(null as {{ dbt.type_string() }}) as pull_request_source,
        cast(null as {{ dbt.type_string() }}) as pull_request_id,
        cast(null as integer) as pull_request_number,
        commit_mentions.sha as commit_sha,
        min(commit_mentions.authored_at) as linked_at
    from commit_mentions
    inner join known_keys
        on known_keys.issue_key = commit_mentions.matched_key
    group by known_keys.source, known_keys.issue_id, commit_mentions.repository, commit_mentions.sha
),

changes as (
    select * from {{ ref('int_changes_deployed') }}
    where is_counted
),

commit_changes as (
    -- the change a commit belongs to: its own in the history, else the PR that lists it
    select repository, sha, change_id from {{ ref('int_commit_changes_assigned') }}
    union
    select listed.repository, listed.sha, listed.repository || '#' || cast(listed.pull_request_number as {{ dbt.type_string() }})
    from {{ ref('int_pull_request_commits_linked') }} as listed
    where not listed.is_in_git
),

deployment_links as (
    select
        pr_links.source,
        pr_links.issue_id,
        'deployment' as link_type,
        pr_links.link_source,
        min(pr_links.matched_key) as matched_key,
        changes.repository,
        cast(null as {{ dbt.type_string() }}) as pull_request_source,
        cast(null as {{ dbt.type_string() }}) as pull_request_id,
        cast(null as integer) as pull_request_number,
        cast(null as {{ dbt.type_string() }}) as commit_sha,
        changes.deployment_id,
        min(changes.change_id) as change_id,
        min(changes.deployed_at) as linked_at
    from pr_links
    inner join changes
        on changes.pull_request_source = pr_links.pull_request_source
        and changes.pull_request_id = pr_links.pull_request_id
    group by pr_links.source, pr_links.issue_id, pr_links.link_source, changes.repository, changes.deployment_id
    union all
    select
        commit_links.source,
        commit_links.issue_id,
        'deployment' as link_type,
        commit_links.link_source,
        min(commit_links.matched_key) as matched_key,
        changes.repository,
        cast(null as {{ dbt.type_string() }}) as pull_request_source,
        cast(null as {{ dbt.type_string() }}) as pull_request_id,
        cast(null as integer) as pull_request_number,
        cast(null as {{ dbt.type_string() }}) as commit_sha,
        changes.deployment_id,
        min(changes.change_id) as change_id,
        min(changes.deployed_at) as linked_at
    from commit_links
    inner join commit_changes
        on commit_changes.repository = commit_links.repository
        and commit_changes.sha = commit_links.commit_sha
    inner join changes
        on changes.change_id = commit_changes.change_id
    group by commit_links.source, commit_links.issue_id, commit_links.link_source, changes.repository, changes.deployment_id
),

all_links as (
    select *, cast(null as {{ dbt.type_string() }}) as deployment_id, cast(null as {{ dbt.type_string() }}) as change_id
    from pr_links
    union all
    select *, cast(null as {{ dbt.type_string() }}) as deployment_id, cast(null as {{ dbt.type_string() }}) as change_id
    from commit_links
    union all
    select source, issue_id, link_type, link_source, matched_key, repository, pull_request_source,
           pull_request_id, pull_request_number, commit_sha, linked_at, deployment_id, change_id
    from deployment_links
)

select
    {{ dbt.concat(['all_links.source', "':'", 'all_links.issue_id']) }} as flow_item_id,
    all_links.source,
    all_links.issue_id,
    flow_items.issue_key,
    all_links.matched_key,
    all_links.link_type,
    all_links.link_source,
    all_links.repository,
    all_links.pull_request_source,
    all_links.pull_request_id,
    all_links.pull_request_number,
    all_links.commit_sha,
    all_links.deployment_id,
    all_links.change_id,
    all_links.linked_at
from all_links
inner join flow_items
    on flow_items.source = all_links.source
    and flow_items.issue_id = all_links.issue_id
