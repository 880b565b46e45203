{#- One row per flow item with its flow item type: the type mapped from the issue type in effect at
    flow_end_at (open and canceled items: at as_of), overridden by a label rule when one of the
    issue's current labels matches (lowest priority wins; source-specific rules beat `*`; a rule
    that also names an issue type only applies to that type). -#}
with spans as (
    select * from {{ ref('int_flow_item_spans_computed') }}
),

issues as (
    select source, issue_id, labels
    from {{ ref('stg_jira__issues') }}
),

type_intervals as (
    select * from {{ ref('int_issue_types_resolved') }}
),

label_rules as (
    select source, issue_type_id, issue_type_name, label, priority, flow_item_type
    from {{ ref('issue_type_mapping') }}
    where label is not null
),

classified_at as (
    select
        spans.source,
        spans.issue_id,
        case when spans.is_completed then spans.flow_end_at else spans.as_of end as classified_at
    from spans
),

type_at_classification as (
    select
        classified_at.source,
        classified_at.issue_id,
        type_intervals.issue_type_id,
        type_intervals.issue_type_name,
        type_intervals.flow_item_type,
        row_number() over (
            partition by classified_at.source, classified_at.issue_id
            -- the last interval entered by then; the first one if none was (clock skew)
            order by case when type_intervals.entered_at <= classified_at.classified_at
                          then type_intervals.interval_number
                          else -type_intervals.interval_number end desc
        ) as preference
    from classified_at
    inner join type_intervals
        on type_intervals.source = classified_at.source
        and type_intervals.issue_id = classified_at.issue_id
),

type_changes as (
    select source, issue_id, count(distinct issue_type_id) > 1 as type_changed
    from type_intervals
    group by source, issue_id
),

label_matches as (
    select
        issues.source,
        issues.issue_id,
        label_rules.flow_item_type,
        row_number() over (
            partition by issues.source, issues.issue_id
            order by case when label_rules.source = '*' then 1 else 0 end,
                     label_rules.priority nulls last,
                     label_rules.label
        ) as preference
    from issues
    inner join type_at_classification
        on type_at_classification.source = issues.source
        and type_at_classification.issue_id = issues.issue_id
        and type_at_classification.preference = 1
    inner join label_rules
        on (label_rules.source = issues.source or label_rules.source = '*')
        and {{ streamgauge.list_contains_ci('issues.labels', 'label_rules.label') }}
        and (label_rules.issue_type_id is null or label_rules.issue_type_id = type_at_classification.issue_type_id)
        and (label_rules.issue_type_name is null
             or lower(label_rules.issue_type_name) = lower(type_at_classification.issue_type_name))
)

select
    spans.source,
    spans.issue_id,
    classified_at.classified_at,
    type_at_classification.issue_type_id,
    type_at_classification.issue_type_name,
    type_at_classification.flow_item_type as issue_type_flow_item_type,
    label_matches.flow_item_type as label_flow_item_type,
    coalesce(label_matches.flow_item_type, type_at_classification.flow_item_type) as flow_item_type,
    coalesce(type_changes.type_changed, false) as type_changed
from spans
inner join classified_at
    on classified_at.source = spans.source
    and classified_at.issue_id = spans.issue_id
left join type_at_classification
    on type_at_classification.source = spans.source
    and type_at_classification.issue_id = spans.issue_id
    and type_at_classification.preference = 1
left join label_matches
    on label_matches.source = spans.source
    and label_matches.issue_id = spans.issue_id
    and label_matches.preference = 1
left join type_changes
    on type_changes.source = spans.source
    and type_changes.issue_id = spans.issue_id
