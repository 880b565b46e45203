{#- One row per flow item and local day on which the item exists and is still open at the end of
    the day: its state just before the day's measured_at (int_reporting_days_spined).

    * exists: created_at < measured_at; open: not completed or canceled by then, by the item's
      final flow_end_at / canceled_at (an item that sat in Done before a reopen is open on those
      days, as its flow time counts them);
    * in flow (WIP): flow_start_at < measured_at;
    * status: the interval with entered_at < measured_at <= exited_at; stage: the stage the item
      is held in (int_status_intervals_carried);
    * flow item type: the type in effect just before measured_at (type intervals with label
      rules), not the type at completion. -#}
{%- set far_future = "cast('9999-12-31 00:00:00' as " ~ dbt.type_timestamp() ~ ")" %}
{%- set far_past = "cast('0001-01-01 00:00:00' as " ~ dbt.type_timestamp() ~ ")" %}
with spans as (
    select * from {{ ref('int_flow_item_spans_computed') }}
),

issues as (
    select source, issue_id, issue_key, project_key
    from {{ ref('stg_jira__issues') }}
),

classified as (
    select source, issue_id, flow_item_type
    from {{ ref('int_flow_items_classified') }}
),

items as (
    select
        spans.source,
        spans.issue_id,
        {{ dbt.concat(['spans.source', "':'", 'spans.issue_id']) }} as flow_item_id,
        issues.issue_key,
        coalesce(issues.project_key, '(none)') as value_stream,
        spans.created_at,
        spans.flow_start_at,
        coalesce(spans.flow_end_at, spans.canceled_at, {{ far_future }}) as open_until,
        spans.history_complete,
        classified.flow_item_type as classified_flow_item_type
    from spans
    inner join issues
        on issues.source = spans.source
        and issues.issue_id = spans.issue_id
    inner join classified
        on classified.source = spans.source
        and classified.issue_id = spans.issue_id
),

days as (
    select day, measured_at, is_partial_day
    from {{ ref('int_reporting_days_spined') }}
),

item_days as (
    select items.*, days.day, days.measured_at, days.is_partial_day
    from items
    inner join days
        on days.measured_at > items.created_at
        and days.measured_at <= items.open_until
),

with_status as (
    select
        item_days.*,
        intervals.interval_number,
        intervals.status_id,
        intervals.status_name,
        intervals.flow_state,
        intervals.held_stage,
        intervals.held_stage_order
    from item_days
    left join {{ ref('int_status_intervals_carried') }} as intervals
        on intervals.source = item_days.source
        and intervals.issue_id = item_days.issue_id
        and intervals.entered_at < item_days.measured_at
        and coalesce(intervals.exited_at, {{ far_future }}) >= item_days.measured_at
)

select
    with_status.flow_item_id,
    with_status.source,
    with_status.issue_id,
    with_status.issue_key,
    with_status.value_stream,
    with_status.day,
    with_status.measured_at,
    with_status.is_partial_day,
    coalesce(with_status.flow_start_at < with_status.measured_at, false) as is_in_flow,
    with_status.history_complete,
    with_status.interval_number,
    with_status.status_id,
    with_status.status_name,
    with_status.flow_state,
    with_status.held_stage as stage,
    with_status.held_stage_order as stage_order,
    coalesce(types.flow_item_type, with_status.classified_flow_item_type) as flow_item_type
from with_status
left join {{ ref('int_flow_item_type_intervals_classified') }} as types
    on types.source = with_status.source
    and types.issue_id = with_status.issue_id
    and coalesce(types.valid_from, {{ far_past }}) < with_status.measured_at
    and coalesce(types.valid_to, {{ far_future }}) >= with_status.measured_at
