{#- One row per flow item: the moments that bound its spans, its current status, and the counters
    read off its status sequence (DEVELOPERS.md, "Definitions we chose").

    * flow start = first entry into an active or waiting status; cycle start = first entry into
      an active status (first in interval order).
    * completed when the current status is done; flow_end_at = start of the final run of
      consecutive done intervals. canceled when the current status is canceled; canceled_at =
      start of the final run of canceled intervals.
    * lead span = [created_at, span_end_at), flow span = [flow_start_at, span_end_at), where
      span_end_at is flow_end_at, canceled_at, or as_of for open items.
    * reopen_count = moves from a done status to one that is neither done nor canceled.
    * history_complete is false when the first status is not a `new` one, when a change's *from*
      is not the previous change's *to*, or when the item was created before its source's
      history horizon (var history_horizons). -#}
with intervals as (
    select * from {{ ref('int_status_intervals_mapped') }}
),

sequenced as (
    select
        intervals.*,
        lag(flow_state) over (partition by source, issue_id order by interval_number) as previous_flow_state
    from intervals
),

per_item as (
    select
        source,
        issue_id,
        max(interval_number) as last_interval_number,
        max(case when flow_state <> 'done' then interval_number end) as last_not_done_number,
        max(case when flow_state <> 'canceled' then interval_number end) as last_not_canceled_number,
        min(case when flow_state in ('active', 'waiting') then interval_number end) as flow_start_number,
        min(case when flow_state = 'active' then interval_number end) as cycle_start_number,
        sum(case when previous_flow_state = 'done' and flow_state not in ('done', 'canceled') then 1 else 0 end)
            as reopen_count,
        sum(case when is_negative_duration then 1 else 0 end) as negative_interval_count,
        sum(case when is_history_gap then 1 else 0 end) as history_gap_count,
        max(case when interval_number = 1 then flow_state end) as first_flow_state
    from sequenced
    group by source, issue_id
),

issues as (
    select source, issue_id, created_at
    from {{ ref('stg_jira__issues') }}
),

moments as (
    select
        per_item.*,
        issues.created_at,
        current_interval.status_id as current_status_id,
        current_interval.status_name as current_status_name,
        current_interval.flow_state as current_flow_state,
        flow_start.entered_at as flow_start_at,
        cycle_start.entered_at as cycle_start_at,
        case when current_interval.flow_state = 'done' then done_run.entered_at end as flow_end_at,
        case when current_interval.flow_state = 'canceled' then canceled_run.entered_at end as canceled_at,
        {{ streamgauge.history_horizon_case('per_item.source') }} as history_horizon_at
    from per_item
    inner join issues
        on issues.source = per_item.source
        and issues.issue_id = per_item.issue_id
    inner join intervals as current_interval
        on current_interval.source = per_item.source
        and current_interval.issue_id = per_item.issue_id
        and current_interval.interval_number = per_item.last_interval_number
    left join intervals as flow_start
        on flow_start.source = per_item.source
        and flow_start.issue_id = per_item.issue_id
        and flow_start.interval_number = per_item.flow_start_number
    left join intervals as cycle_start
        on cycle_start.source = per_item.source
        and cycle_start.issue_id = per_item.issue_id
        and cycle_start.interval_number = per_item.cycle_start_number
    left join intervals as done_run
        on done_run.source = per_item.source
        and done_run.issue_id = per_item.issue_id
        and done_run.interval_number = coalesce(per_item.last_not_done_number, 0) + 1
    left join intervals as canceled_run
        on canceled_run.source = per_item.source
        and canceled_run.issue_id = per_item.issue_id
        and canceled_run.interval_number = coalesce(per_item.last_not_canceled_number, 0) + 1
)

select
    source,
    issue_id,
    created_at,
    flow_start_at,
    cycle_start_at,
    flow_end_at,
    canceled_at,
    coalesce(flow_end_at, canceled_at, {{ streamgauge.as_of() }}) as span_end_at,
    current_status_id,
    current_status_name,
    current_flow_state,
    current_flow_state = 'done' as is_completed,
    current_flow_state = 'canceled' as is_canceled,
    cast(reopen_count as integer) as reopen_count,
    cast(negative_interval_count as integer) as negative_interval_count,
    first_flow_state = 'new'
        and history_gap_count = 0
        and (history_horizon_at is null or created_at >= history_horizon_at) as history_complete,
    {{ streamgauge.as_of() }} as as_of
from moments
