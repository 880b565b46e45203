{#- Every mapped status interval of a flow item with the hours it contributes to the item's lead
    span [created_at, span_end_at) and flow span [flow_start_at, span_end_at). An open interval
    runs to as_of. Negative intervals (clock skew) contribute NULL: they are left out of every
    sum. -#}
with intervals as (
    select * from {{ ref('int_status_intervals_mapped') }}
),

spans as (
    select * from {{ ref('int_flow_item_spans_computed') }}
),

bounded as (
    select
        intervals.*,
        coalesce(intervals.exited_at, spans.as_of) as effective_exited_at,
        spans.created_at,
        spans.flow_start_at,
        spans.span_end_at
    from intervals
    inner join spans
        on spans.source = intervals.source
        and spans.issue_id = intervals.issue_id
)

select
    source,
    issue_id,
    issue_key,
    interval_number,
    status_id,
    status_name,
    status_name_at_time,
    flow_state,
    stage,
    stage_order,
    entered_at,
    exited_at,
    is_open,
    is_negative_duration,
    duration_hours,
    case when not is_negative_duration then
        {{ streamgauge.clipped_hours('entered_at', 'effective_exited_at', 'created_at', 'span_end_at') }}
    end as lead_span_hours,
    case
        when is_negative_duration then null
        when flow_start_at is null then 0.0
        else {{ streamgauge.clipped_hours('entered_at', 'effective_exited_at', 'flow_start_at', 'span_end_at') }}
    end as flow_span_hours
from bounded
