{#- One row per live issue: its current issue type and mapped hierarchy level, whether it is a flow
    item (hierarchy level = var flow_item_level), and its parent, epic and initiative (nearest
    ancestor of that level, up to three levels up). Keys are the ancestors' current keys. -#}
with issues as (
    select * from {{ ref('stg_jira__issues') }}
    where not is_deleted
),

current_types as (
    select *
    from {{ ref('int_issue_types_resolved') }}
    where exited_at is null
),

levels as (
    select
        issues.source,
        issues.issue_id,
        issues.issue_key,
        issues.parent_issue_id,
        issues.parent_issue_key,
        current_types.issue_type_id,
        current_types.issue_type_name,
        current_types.hierarchy_level
    from issues
    inner join current_types
        on current_types.source = issues.source
        and current_types.issue_id = issues.issue_id
)

select
    child.source,
    child.issue_id,
    child.issue_key,
    child.issue_type_id,
    child.issue_type_name,
    child.hierarchy_level,
    child.hierarchy_level = '{{ var("flow_item_level", "story") }}' as is_flow_item,
    child.parent_issue_id,
    coalesce(parent.issue_key, child.parent_issue_key) as parent_issue_key,
    case
        when parent.hierarchy_level = 'epic' then parent.issue_key
        when grandparent.hierarchy_level = 'epic' then grandparent.issue_key
        when great_grandparent.hierarchy_level = 'epic' then great_grandparent.issue_key
    end as epic_issue_key,
    case
        when parent.hierarchy_level = 'initiative' then parent.issue_key
        when grandparent.hierarchy_level = 'initiative' then grandparent.issue_key
        when great_grandparent.hierarchy_level = 'initiative' then great_grandparent.issue_key
    end as initiative_issue_key
from levels as child
left join levels as parent
    on parent.source = child.source
    and parent.issue_id = child.parent_issue_id
left join levels as grandparent
    on grandparent.source = parent.source
    and grandparent.issue_id = parent.parent_issue_id
left join levels as great_grandparent
    on great_grandparent.source = grandparent.source
    and great_grandparent.issue_id = grandparent.parent_issue_id
