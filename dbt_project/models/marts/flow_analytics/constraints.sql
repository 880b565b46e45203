{#- Where the flow is constrained, per value stream (and 'all') and stage of the `stages` seed over
    the flow analytics window (var flow_analytics_window_days full local days before the as_of
    date). Two findings per stream, each marked on one stage with the figures that justify it:

    * is_most_waiting_stage — the stage with the most waiting time: hours flow items spent in
      statuses of flow state `waiting` of the stage inside the window (the queue in front of the
      work). Ties go to the earlier stage; no stage when nothing waited.
    * is_starving_stage — the stage whose output starves the next one: the stage with the most
      *starved days* downstream, a starved day being a window day at whose end the next stage held
      no flow item while this stage held at least one (work existed, but did not come through).
      Stages are read as in flow_load_daily (in-flow items, the stage an item was held in at the
      end of the day). Ties go to the earlier stage; no stage when no day was starved. -#}
{%- set window = streamgauge.flow_analytics_window() %}
{%- set last_day = window['end_date'] - modules.datetime.timedelta(days=1) %}
with items as (
    select flow_item_id, coalesce(project_key, '(none)') as value_stream, is_completed
    from {{ ref('int_flow_items_measured') }}
),

streams as (
    select distinct value_stream from items
    union all
    select 'all' as value_stream
),

stages as (
    select
        stage,
        stage_order,
        lead(stage) over (order by stage_order) as downstream_stage
    from {{ ref('stages') }}
),

waits as (
    select
        case when rollup.is_total then 'all' else items.value_stream end as value_stream,
        intervals.stage,
        intervals.flow_item_id,
        -- an open interval lasts at least until as_of, which is not before the window's end
        {{ streamgauge.clipped_hours('intervals.entered_at', 'coalesce(intervals.exited_at, ' ~ window['end_at'] ~ ')',
                                     window['start_at'], window['end_at']) }} as wait_hours
    from {{ ref('status_intervals') }} as intervals
    inner join items
        on items.flow_item_id = intervals.flow_item_id
    cross join ({{ streamgauge.stream_rollup() }}) as rollup
    where intervals.flow_state = 'waiting'
        and not intervals.is_negative_duration
),

wait_per_stage as (
    select
        value_stream,
        stage,
        sum(wait_hours) as wait_hours,
        count(distinct case when wait_hours > 0 then flow_item_id end) as waiting_items
    from waits
    group by value_stream, stage
),

daily_stage_wip as (
    select value_stream, day, stage, sum(wip_items) as wip_items
    from {{ ref('flow_load_daily') }}
    where day >= {{ streamgauge.date_literal(window['start_date']) }}
        and day <= {{ streamgauge.date_literal(last_day) }}
    group by value_stream, day, stage
),

window_days as (
    select distinct day from daily_stage_wip
),

stage_days as (
    -- every window day of the reporting calendar, for every stream and stage (0 when empty)
    select
        streams.value_stream,
        window_days.day,
        stages.stage,
        stages.downstream_stage,
        coalesce(daily_stage_wip.wip_items, 0) as wip_items
    from streams
    cross join window_days
    cross join stages
    left join daily_stage_wip
        on daily_stage_wip.value_stream = streams.value_stream
        and daily_stage_wip.day = window_days.day
        and daily_stage_wip.stage = stages.stage
),

day_pairs as (
    select
        here.value_stream,
        here.stage,
        here.day,
        here.wip_items,
        downstream.wip_items as downstream_wip_items
    from stage_days as here
    left join stage_days as downstream
        on downstream.value_stream = here.value_stream
        and downstream.day = here.day
        and downstream.stage = here.downstream_stage
),

load_per_stage as (
    select
        value_stream,
        stage,
        sum(wip_items) * 1.0 / {{ window['days'] }} as avg_wip_items,
        -- days of the window before the reporting calendar starts held nothing
        {{ window['days'] }} - count(*) + sum(case when wip_items = 0 then 1 else 0 end) as empty_days,
        sum(case when wip_items > 0 and downstream_wip_items = 0 then 1 else 0 end) as downstream_starved_days
    from day_pairs
    group by value_stream, stage
),

visits as (
    select
        {{ dbt.concat(['source', "':'", 'issue_id']) }} as flow_item_id,
        stage,
        stage_order,
        exited_at,
        lead(stage_order) over (partition by source, issue_id order by visit_number) as next_stage_order
    from {{ ref('int_stage_visits_merged') }}
),

outflows as (
    select
        case when rollup.is_total then 'all' else items.value_stream end as value_stream,
        visits.stage,
        count(*) as outflow_items
    from visits
    inner join items
        on items.flow_item_id = visits.flow_item_id
    cross join ({{ streamgauge.stream_rollup() }}) as rollup
    where visits.exited_at >= {{ window['start_at'] }}
        and visits.exited_at < {{ window['end_at'] }}
        and (visits.next_stage_order > visits.stage_order
             or (visits.next_stage_order is null and items.is_completed))
    group by 1, 2
),

per_stage as (
    select
        streams.value_stream,
        stages.stage,
        stages.stage_order,
        stages.downstream_stage,
        coalesce(wait_per_stage.wait_hours, 0.0) as wait_hours,
        cast(coalesce(wait_per_stage.waiting_items, 0) as integer) as waiting_items,
        coalesce(load_per_stage.avg_wip_items, 0.0) as avg_wip_items,
        cast(coalesce(load_per_stage.empty_days, {{ window['days'] }}) as integer) as empty_days,
        case when stages.downstream_stage is not null
            then cast(coalesce(load_per_stage.downstream_starved_days, 0) as integer) end as downstream_starved_days,
        cast(coalesce(outflows.outflow_items, 0) as integer) as outflow_items
    from streams
    cross join stages
    left join wait_per_stage
        on wait_per_stage.value_stream = streams.value_stream
        and wait_per_stage.stage = stages.stage
    left join load_per_stage
        on load_per_stage.value_stream = streams.value_stream
        and load_per_stage.stage = stages.stage
    left join outflows
        on outflows.value_stream = streams.value_stream
        and outflows.stage = stages.stage
),

ranked as (
    select
        per_stage.*,
        sum(wait_hours) over (partition by value_stream) as stream_wait_hours,
        row_number() over (partition by value_stream order by wait_hours desc, stage_order) as wait_rank,
        row_number() over (
            partition by value_stream order by coalesce(downstream_starved_days, -1) desc, stage_order
        ) as starving_rank
    from per_stage
)

select
    value_stream,
    stage,
    stage_order,
    {{ streamgauge.date_literal(window['start_date']) }} as window_start_date,
    {{ streamgauge.date_literal(window['end_date']) }} as window_end_date,
    {{ window['days'] }} as window_days,
    wait_hours,
    case when stream_wait_hours > 0 then 100.0 * wait_hours / stream_wait_hours end as wait_pct,
    waiting_items,
    avg_wip_items,
    empty_days,
    outflow_items,
    downstream_stage,
    downstream_starved_days,
    case when downstream_stage is not null
        then 100.0 * downstream_starved_days / {{ window['days'] }} end as downstream_starved_pct,
    wait_rank = 1 and wait_hours > 0 as is_most_waiting_stage,
    starving_rank = 1 and coalesce(downstream_starved_days, 0) > 0 as is_starving_stage
from ranked
