{#- Aging work in progress: one row per open flow item as of as_of (entered flow, neither completed
    nor canceled) with its age and the percentile of its value stream's completed items it has
    passed. Thresholds come from the stream's items counted in flow velocity (completed, entered
    flow, history complete) completed in the flow analytics window (var
    flow_analytics_window_days full local days before the as_of date): age (since flow start) is
    compared with their flow time, cycle age (since the first active status) with their cycle time.
    Percentiles are interpolated (quantile_cont) and NULL below var min_sample_n; an age passes a
    threshold when it is strictly greater. -#}
{%- set min_n = var('min_sample_n', 5) | int %}
{%- set window = streamgauge.flow_analytics_window() %}
with items as (
    select *, coalesce(project_key, '(none)') as value_stream
    from {{ ref('int_flow_items_measured') }}
),

open_items as (
    select *
    from items
    where flow_start_at is not null
        and not is_completed
        and not is_canceled
),

current_intervals as (
    select
        {{ dbt.concat(['source', "':'", 'issue_id']) }} as flow_item_id,
        held_stage,
        held_stage_order
    from {{ ref('int_status_intervals_carried') }}
    where is_open
),

reference_items as (
    select value_stream, flow_time_hours, cycle_time_hours
    from items
    where is_completed
        and flow_start_at is not null
        and history_complete
        and flow_end_at >= {{ window['start_at'] }}
        and flow_end_at < {{ window['end_at'] }}
),

thresholds as (
    select
        value_stream,
        count(flow_time_hours) as flow_time_n,
        {{ streamgauge.quantile_cont('flow_time_hours', 0.5) }} as flow_time_p50_hours,
        {{ streamgauge.quantile_cont('flow_time_hours', 0.85) }} as flow_time_p85_hours,
        {{ streamgauge.quantile_cont('flow_time_hours', 0.95) }} as flow_time_p95_hours,
        count(cycle_time_hours) as cycle_time_n,
        {{ streamgauge.quantile_cont('cycle_time_hours', 0.5) }} as cycle_time_p50_hours,
        {{ streamgauge.quantile_cont('cycle_time_hours', 0.85) }} as cycle_time_p85_hours,
        {{ streamgauge.quantile_cont('cycle_time_hours', 0.95) }} as cycle_time_p95_hours
    from reference_items
    group by value_stream
),

aged as (
    select
        open_items.flow_item_id,
        open_items.issue_key,
        open_items.value_stream,
        open_items.flow_item_type,
        open_items.current_status_name,
        open_items.current_flow_state,
        current_intervals.held_stage as stage,
        current_intervals.held_stage_order as stage_order,
        open_items.flow_start_at,
        open_items.cycle_start_at,
        {{ streamgauge.hours_between('open_items.flow_start_at', 'open_items.as_of') }} as age_hours,
        {{ streamgauge.hours_between('open_items.cycle_start_at', 'open_items.as_of') }} as cycle_age_hours,
        open_items.history_complete,
        cast(coalesce(thresholds.flow_time_n, 0) as integer) as flow_time_n,
        case when thresholds.flow_time_n >= {{ min_n }} then thresholds.flow_time_p50_hours end as flow_time_p50_hours,
        case when thresholds.flow_time_n >= {{ min_n }} then thresholds.flow_time_p85_hours end as flow_time_p85_hours,
        case when thresholds.flow_time_n >= {{ min_n }} then thresholds.flow_time_p95_hours end as flow_time_p95_hours,
        cast(coalesce(thresholds.cycle_time_n, 0) as integer) as cycle_time_n,
        case when thresholds.cycle_time_n >= {{ min_n }} then thresholds.cycle_time_p50_hours end as cycle_time_p50_hours,
        case when thresholds.cycle_time_n >= {{ min_n }} then thresholds.cycle_time_p85_hours end as cycle_time_p85_hours,
        case when thresholds.cycle_time_n >= {{ min_n }} then thresholds.cycle_time_p95_hours end as cycle_time_p95_hours,
        open_items.as_of
    from open_items
    left join current_intervals
        on current_intervals.flow_item_id = open_items.flow_item_id
    left join thresholds
        on thresholds.value_stream = open_items.value_stream
)

select
    flow_item_id,
    issue_key,
    value_stream,
    flow_item_type,
    current_status_name,
    current_flow_state,
    stage,
    stage_order,
    flow_start_at,
    cycle_start_at,
    age_hours,
    cycle_age_hours,
    history_complete,
    {{ window['start_at'] }} as threshold_window_start_at,
    {{ window['end_at'] }} as threshold_window_end_at,
    flow_time_n,
    flow_time_n < {{ min_n }} as is_small_sample,
    flow_time_p50_hours,
    flow_time_p85_hours,
    flow_time_p95_hours,
    case
        when flow_time_p50_hours is null then null
        when age_hours > flow_time_p95_hours then 'p95'
        when age_hours > flow_time_p85_hours then 'p85'
        when age_hours > flow_time_p50_hours then 'p50'
        else 'none'
    end as age_percentile_passed,
    cycle_time_n,
    cycle_time_p50_hours,
    cycle_time_p85_hours,
    cycle_time_p95_hours,
    case
        when cycle_time_p50_hours is null or cycle_age_hours is null then null
        when cycle_age_hours > cycle_time_p95_hours then 'p95'
        when cycle_age_hours > cycle_time_p85_hours then 'p85'
        when cycle_age_hours > cycle_time_p50_hours then 'p50'
        else 'none'
    end as cycle_age_percentile_passed,
    as_of
from aged
