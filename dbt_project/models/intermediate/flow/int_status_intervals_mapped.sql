{#- The status intervals of every flow item with their flow state and stage from
    status_flow_mapping, matched by status id. A mapping row applies to intervals *entered* in
    [valid_from, valid_to) (UTC dates; open-ended when empty); source-specific rows beat `*`.
    Statuses whose flow state is `ignore` or `canceled` have no stage.

    An unmapped status stops the build here, with a message naming it, its source and the first
    issue it was seen on; the marts downstream are then skipped. -#}
with intervals as (
    select reconstructed.*
    from {{ ref('int_status_intervals_reconstructed') }} as reconstructed
    inner join {{ ref('int_issue_ancestors_resolved') }} as issues
        on issues.source = reconstructed.source
        and issues.issue_id = reconstructed.issue_id
    where issues.is_flow_item
),

statuses as (
    select source, status_id, status_name
    from {{ ref('stg_jira__statuses') }}
),

status_rules as (
    select source, status_id, flow_state, stage, valid_from, valid_to
    from {{ ref('status_flow_mapping') }}
),

stages as (
    select stage, stage_order
    from {{ ref('stages') }}
),

candidates as (
    select
        intervals.source,
        intervals.issue_id,
        intervals.interval_number,
        status_rules.flow_state,
        status_rules.stage,
        status_rules.source as mapping_source,
        row_number() over (
            partition by intervals.source, intervals.issue_id, intervals.interval_number
            order by {{ streamgauge.status_rule_preference('status_rules') }}
        ) as preference
    from intervals
    inner join status_rules
        on {{ streamgauge.status_rule_applies('intervals', 'status_rules') }}
),

mapped as (
    select
        intervals.*,
        coalesce(statuses.status_name, intervals.status_name_at_time) as status_name,
        candidates.flow_state,
        candidates.stage,
        candidates.mapping_source,
        first_value(intervals.issue_key) over (
            partition by intervals.source, intervals.status_id
            order by intervals.entered_at, intervals.issue_key
            rows between unbounded preceding and unbounded following
        ) as first_seen_issue_key
    from intervals
    left join statuses
        on statuses.source = intervals.source
        and statuses.status_id = intervals.status_id
    left join candidates
        on candidates.source = intervals.source
        and candidates.issue_id = intervals.issue_id
        and candidates.interval_number = intervals.interval_number
        and candidates.preference = 1
),

checked as (
    select
        mapped.*,
        case
            when mapping_source is null then {{ streamgauge.unmapped_error(
                'status', 'status_id', 'status_name', 'source', 'first_seen_issue_key', 'status_flow_mapping') }}
            else flow_state
        end as checked_flow_state
    from mapped
)

select
    checked.source,
    checked.issue_id,
    checked.issue_key,
    checked.interval_number,
    checked.status_id,
    checked.status_name,
    checked.status_name_at_time,
    checked.checked_flow_state as flow_state,
    case when checked.flow_state in ('ignore', 'canceled') then null else checked.stage end as stage,
    case when checked.flow_state in ('ignore', 'canceled') then null else stages.stage_order end as stage_order,
    checked.entered_at,
    checked.exited_at,
    checked.exited_at is null as is_open,
    coalesce(checked.exited_at, {{ streamgauge.as_of() }}) < checked.entered_at as is_negative_duration,
    case
        when coalesce(checked.exited_at, {{ streamgauge.as_of() }}) >= checked.entered_at
            then {{ streamgauge.hours_between('checked.entered_at', 'coalesce(checked.exited_at, ' ~ streamgauge.as_of() ~ ')') }}
    end as duration_hours,
    checked.entered_by_history_id,
    checked.is_history_gap,
    checked.mapping_source
from checked
left join stages
    on stages.stage = checked.stage
