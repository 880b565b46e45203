{#- The flow item type of every flow item over time: one row per issue-type interval with the type
    that interval maps to, overridden by a label rule matching one of the issue's current labels
    (lowest priority wins; source-specific before `*`; a rule naming an issue type applies only
    while the issue has that type) — the rule int_flow_items_classified applies at one instant,
    here applied to every interval.

    valid_from / valid_to give the interval as the marts look it up: the first interval reaches
    back indefinitely (valid_from NULL), so an instant before creation (clock skew) gets the first
    type, exactly as flow_items does. The type *at* an instant t is the row with
    valid_from <= t < valid_to; the type *just before* t (end-of-day states) is the row with
    valid_from < t <= valid_to (NULL bounds are open). -#}
with type_intervals as (
    select * from {{ ref('int_issue_types_resolved') }}
),

flow_items as (
    select source, issue_id
    from {{ ref('int_issue_ancestors_resolved') }}
    where is_flow_item
),

issues as (
    select source, issue_id, labels
    from {{ ref('stg_jira__issues') }}
),

label_rules as (
    select source, issue_type_id, issue_type_name, label, priority, flow_item_type
    from {{ ref('issue_type_mapping') }}
    where label is not null
),

item_intervals as (
    select type_intervals.*
    from type_intervals
    inner join flow_items
        on flow_items.source = type_intervals.source
        and flow_items.issue_id = type_intervals.issue_id
),

label_matches as (
    select
        item_intervals.source,
        item_intervals.issue_id,
        item_intervals.interval_number,
        label_rules.flow_item_type,
        row_number() over (
            partition by item_intervals.source, item_intervals.issue_id, item_intervals.interval_number
            order by case when label_rules.source = '*' then 1 else 0 end,
                     label_rules.priority nulls last,
                     label_rules.label
        ) as preference
    from item_intervals
    inner join issues
        on issues.source = item_intervals.source
        and issues.issue_id = item_intervals.issue_id
    inner join label_rules
        on (label_rules.source = issues.source or label_rules.source = '*')
        and {{ streamgauge.list_contains_ci('issues.labels', 'label_rules.label') }}
        and (label_rules.issue_type_id is null or label_rules.issue_type_id = item_intervals.issue_type_id)
        and (label_rules.issue_type_name is null
             or lower(label_rules.issue_type_name) = lower(item_intervals.issue_type_name))
)

select
    item_intervals.source,
    item_intervals.issue_id,
    {{ dbt.concat(['item_intervals.source', "':'", 'item_intervals.issue_id']) }} as flow_item_id,
    item_intervals.issue_key,
    item_intervals.interval_number,
    item_intervals.issue_type_id,
    item_intervals.issue_type_name,
    item_intervals.entered_at,
    item_intervals.exited_at,
    case when item_intervals.interval_number = 1 then null else item_intervals.entered_at end as valid_from,
    item_intervals.exited_at as valid_to,
    item_intervals.flow_item_type as issue_type_flow_item_type,
    label_matches.flow_item_type as label_flow_item_type,
    coalesce(label_matches.flow_item_type, item_intervals.flow_item_type) as flow_item_type
from item_intervals
left join label_matches
    on label_matches.source = item_intervals.source
    and label_matches.issue_id = item_intervals.issue_id
    and label_matches.interval_number = item_intervals.interval_number
    and label_matches.preference = 1
