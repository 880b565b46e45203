{#- Every issue-type interval with the issue_type_mapping row that applies: flow item type and
    hierarchy level. A mapping row with an issue_type_id matches that id; one without matches the
    type's name, ignoring case (current name, untranslated name, or the name at the time).
    Source-specific rows beat `*`, an id match beats a name match. Label rules are applied later
    (int_flow_items_classified). An issue type that no row maps stops the build with a message
    naming it. -#}
with type_intervals as (
    select * from {{ ref('int_issue_type_intervals_reconstructed') }}
),

issue_types as (
    select source, issue_type_id, issue_type_name, issue_type_untranslated_name
    from {{ ref('stg_jira__issue_types') }}
),

type_rules as (
    select source, issue_type_id, issue_type_name, flow_item_type, hierarchy_level
    from {{ ref('issue_type_mapping') }}
    where label is null
),

named_intervals as (
    select
        type_intervals.*,
        coalesce(issue_types.issue_type_name, type_intervals.issue_type_name_at_time) as issue_type_name,
        issue_types.issue_type_untranslated_name
    from type_intervals
    left join issue_types
        on issue_types.source = type_intervals.source
        and issue_types.issue_type_id = type_intervals.issue_type_id
),

candidates as (
    select
        named_intervals.source,
        named_intervals.issue_id,
        named_intervals.interval_number,
        type_rules.flow_item_type,
        type_rules.hierarchy_level,
        type_rules.source as mapping_source,
        row_number() over (
            partition by named_intervals.source, named_intervals.issue_id, named_intervals.interval_number
            order by {{ streamgauge.issue_type_rule_preference('type_rules') }}
        ) as preference
    from named_intervals
    inner join type_rules
        on {{ streamgauge.issue_type_rule_applies('named_intervals', 'type_rules') }}
),

resolved as (
    select
        named_intervals.*,
        candidates.flow_item_type,
        candidates.hierarchy_level,
        candidates.mapping_source,
        -- where an unmapped type was first seen, for the error message
        first_value(named_intervals.issue_key) over (
            partition by named_intervals.source, named_intervals.issue_type_id
            order by named_intervals.entered_at, named_intervals.issue_key
            rows between unbounded preceding and unbounded following
        ) as first_seen_issue_key
    from named_intervals
    left join candidates
        on candidates.source = named_intervals.source
        and candidates.issue_id = named_intervals.issue_id
        and candidates.interval_number = named_intervals.interval_number
        and candidates.preference = 1
)

select
    source,
    issue_id,
    issue_key,
    interval_number,
    issue_type_id,
    issue_type_name,
    issue_type_name_at_time,
    entered_at,
    exited_at,
    flow_item_type,
    case
        when mapping_source is null then {{ streamgauge.unmapped_error(
            'issue type', 'issue_type_id', 'issue_type_name', 'source', 'first_seen_issue_key', 'issue_type_mapping') }}
        else hierarchy_level
    end as hierarchy_level,
    mapping_source
from resolved
