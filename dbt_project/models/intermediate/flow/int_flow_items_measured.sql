{#- One row per flow item: every live issue whose mapped hierarchy level is var flow_item_level,
    with all it is measured by in the flow domain (mart flow_items adds its first deployment).
    Flow marts read this model, so they never wait for the delivery sources. -#}
with spans as (
    select * from {{ ref('int_flow_item_spans_computed') }}
),

issues as (
    select * from {{ ref('stg_jira__issues') }}
),

ancestors as (
    select * from {{ ref('int_issue_ancestors_resolved') }}
),

classified as (
    select * from {{ ref('int_flow_items_classified') }}
),

state_hours as (
    select
        source,
        issue_id,
        sum(case when flow_state = 'active' then flow_span_hours else 0 end) as active_time_hours,
        sum(case when flow_state = 'waiting' then flow_span_hours else 0 end) as wait_time_hours,
        sum(case when flow_state = 'done' then flow_span_hours else 0 end) as done_dwell_hours,
        -- statuses without a stage: flow state ignore, and canceled ones the item left again
        sum(case when stage is null then flow_span_hours else 0 end) as ignored_hours
    from {{ ref('int_status_intervals_clipped') }}
    group by source, issue_id
),

backflows as (
    select source, issue_id, sum(case when is_backflow then 1 else 0 end) as backflow_count
    from {{ ref('int_stage_visits_merged') }}
    group by source, issue_id
),

measured as (
    select
        spans.*,
        case when spans.flow_start_at is not null then state_hours.active_time_hours end as active_time_hours,
        case when spans.flow_start_at is not null then state_hours.wait_time_hours end as wait_time_hours,
        case when spans.flow_start_at is not null then state_hours.done_dwell_hours end as done_dwell_hours,
        case when spans.flow_start_at is not null then state_hours.ignored_hours end as ignored_hours,
        coalesce(backflows.backflow_count, 0) as backflow_count
    from spans
    left join state_hours
        on state_hours.source = spans.source
        and state_hours.issue_id = spans.issue_id
    left join backflows
        on backflows.source = spans.source
        and backflows.issue_id = spans.issue_id
)

select
    {{ dbt.concat(['measured.source', "':'", 'measured.issue_id']) }} as flow_item_id,
    measured.source,
    measured.issue_id,
    issues.issue_key,
    issues.project_key,
    issues.summary,
    classified.issue_type_name,
    classified.flow_item_type,
    classified.type_changed,
    ancestors.hierarchy_level,
    ancestors.parent_issue_key,
    ancestors.epic_issue_key,
    ancestors.initiative_issue_key,
    measured.created_at,
    measured.flow_start_at,
    measured.cycle_start_at,
    measured.flow_end_at,
    measured.canceled_at,
    measured.current_status_id,
    measured.current_status_name,
    measured.current_flow_state,
    measured.is_completed,
    measured.is_canceled,
    {{ streamgauge.utc_to_local_date('measured.flow_end_at', var('reporting_timezone', 'UTC')) }} as completed_date,
    case when measured.is_completed
        then {{ streamgauge.hours_between('measured.created_at', 'measured.flow_end_at') }} end as lead_time_hours,
    case when measured.is_completed
        then {{ streamgauge.hours_between('measured.cycle_start_at', 'measured.flow_end_at') }} end as cycle_time_hours,
    case when measured.is_completed
        then {{ streamgauge.hours_between('measured.flow_start_at', 'measured.flow_end_at') }} end as flow_time_hours,
    measured.active_time_hours,
    measured.wait_time_hours,
    measured.done_dwell_hours,
    measured.ignored_hours,
    case
        when measured.is_completed and measured.active_time_hours + measured.wait_time_hours > 0
            then measured.active_time_hours / (measured.active_time_hours + measured.wait_time_hours)
    end as flow_efficiency,
    measured.reopen_count,
    cast(measured.backflow_count as integer) as backflow_count,
    measured.negative_interval_count,
    measured.history_complete,
    measured.as_of
from measured
inner join issues
    on issues.source = measured.source
    and issues.issue_id = measured.issue_id
inner join ancestors
    on ancestors.source = measured.source
    and ancestors.issue_id = measured.issue_id
inner join classified
    on classified.source = measured.source
    and classified.issue_id = measured.issue_id
