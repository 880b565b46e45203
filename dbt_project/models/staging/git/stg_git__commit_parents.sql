{#- One row per (commit, parent) edge of the commit graph, with the parent's position (0 = the
    first parent: the branch merged into). Parents that were never landed (a shallow clone) are
    kept here; models that walk the graph join them to stg_git__commits. -#}
with commits as (
    select repository, sha, parent_shas from {{ ref('stg_git__commits') }}
)

select
    commits.repository,
    commits.sha,
    lower(parents.element) as parent_sha,
    cast(parents.ordinal as integer) as parent_position
from commits
{{ streamgauge.list_elements_join('commits.parent_shas', 'parents') }}
