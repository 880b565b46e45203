{#- Flow metrics per value stream (Jira project, and 'all'), flow item type (and 'all') and period
    (ISO week from Monday, calendar month; local dates in var reporting_timezone), on a gap-free
    spine from the period of the first flow event of any flow item to the period holding as_of.

    Window semantics (SPEC §2): velocity, flow time, efficiency and distribution count the items
    *completed* in the period, typed by their type at completion; arrivals count flow starts,
    typed at the flow start; cancellations are counted apart, typed at the cancellation.
    Completed items that never entered flow (closed from the backlog) and items without a complete
    history are left out of every statistic and counted in their own columns. Percentiles are
    interpolated (quantile_cont, linear between closest ranks) and NULL below var min_sample_n. -#}
{%- set tz = var('reporting_timezone', 'UTC') %}
{%- set min_n = var('min_sample_n', 5) | int %}
{%- set grains = ['week', 'month'] %}
{%- set far_future = "cast('9999-12-31 00:00:00' as " ~ dbt.type_timestamp() ~ ")" %}
{%- set far_past = "cast('0001-01-01 00:00:00' as " ~ dbt.type_timestamp() ~ ")" %}
{%- set as_of_date = streamgauge.date_literal(streamgauge.as_of_local_date()) %}
with items as (
    select
        flow_item_id,
        coalesce(project_key, '(none)') as value_stream,
        flow_item_type,
        flow_start_at,
        canceled_at,
        completed_date,
        is_completed,
        is_canceled,
        history_complete,
        flow_time_hours,
        flow_efficiency,
        active_time_hours,
        wait_time_hours
    from {{ ref('int_flow_items_measured') }}
),

type_intervals as (
    select flow_item_id, valid_from, valid_to, flow_item_type
    from {{ ref('int_flow_item_type_intervals_classified') }}
),

completed as (
    select
        flow_item_id,
        value_stream,
        flow_item_type,
        'completed' as event_kind,
        completed_date as event_date,
        case
            when flow_start_at is null then 'without_flow'
            when not history_complete then 'history_incomplete'
            else 'counted'
        end as population,
        flow_time_hours,
        flow_efficiency,
        active_time_hours,
        wait_time_hours
    from items
    where is_completed
),

started as (
    select
        items.flow_item_id,
        items.value_stream,
        coalesce(type_intervals.flow_item_type, items.flow_item_type) as flow_item_type,
        'started' as event_kind,
        {{ streamgauge.utc_to_local_date('items.flow_start_at', tz) }} as event_date,
        case when items.history_complete then 'counted' else 'history_incomplete' end as population,
        cast(null as double precision) as flow_time_hours,
        cast(null as double precision) as flow_efficiency,
        cast(null as double precision) as active_time_hours,
        cast(null as double precision) as wait_time_hours
    from items
    left join type_intervals
        on type_intervals.flow_item_id = items.flow_item_id
        and coalesce(type_intervals.valid_from, {{ far_past }}) <= items.flow_start_at
        and items.flow_start_at < coalesce(type_intervals.valid_to, {{ far_future }})
    where items.flow_start_at is not null
),

canceled as (
    select
        items.flow_item_id,
        items.value_stream,
        coalesce(type_intervals.flow_item_type, items.flow_item_type) as flow_item_type,
        'canceled' as event_kind,
        {{ streamgauge.utc_to_local_date('items.canceled_at', tz) }} as event_date,
        'counted' as population,
        cast(null as double precision) as flow_time_hours,
        cast(null as double precision) as flow_efficiency,
        cast(null as double precision) as active_time_hours,
        cast(null as double precision) as wait_time_hours
    from items
    left join type_intervals
        on type_intervals.flow_item_id = items.flow_item_id
        and coalesce(type_intervals.valid_from, {{ far_past }}) <= items.canceled_at
        and items.canceled_at < coalesce(type_intervals.valid_to, {{ far_future }})
    where items.is_canceled
),

events as (
    select * from completed
    union all
    select * from started
    union all
    select * from canceled
),

events_in_periods as (
    {%- for grain in grains %}
    select events.*, '{{ grain }}' as period_grain, {{ streamgauge.period_start('events.event_date', grain) }} as period_start
    from events
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

rolled_up as (
    select
        case when stream_rollup.is_total then 'all' else events_in_periods.value_stream end as value_stream,
        case when type_rollup.is_total then 'all' else events_in_periods.flow_item_type end as flow_item_type,
        events_in_periods.period_grain,
        events_in_periods.period_start,
        events_in_periods.event_kind,
        events_in_periods.population,
        case when events_in_periods.event_kind = 'completed' and events_in_periods.population = 'counted'
            then events_in_periods.flow_time_hours end as counted_flow_time_hours,
        case when events_in_periods.event_kind = 'completed' and events_in_periods.population = 'counted'
            then events_in_periods.flow_efficiency end as counted_flow_efficiency,
        case when events_in_periods.event_kind = 'completed' and events_in_periods.population = 'counted'
            then events_in_periods.active_time_hours end as counted_active_hours,
        case when events_in_periods.event_kind = 'completed' and events_in_periods.population = 'counted'
            then events_in_periods.wait_time_hours end as counted_wait_hours
    from events_in_periods
    cross join ({{ streamgauge.stream_rollup() }}) as stream_rollup
    cross join ({{ streamgauge.stream_rollup() }}) as type_rollup
),

figures as (
    select
        value_stream,
        flow_item_type,
        period_grain,
        period_start,
        sum(case when event_kind = 'completed' and population = 'counted' then 1 else 0 end) as flow_velocity_items,
        sum(case when event_kind = 'started' and population = 'counted' then 1 else 0 end) as arrival_items,
        sum(case when event_kind = 'canceled' then 1 else 0 end) as canceled_items,
        sum(case when event_kind = 'completed' and population = 'without_flow' then 1 else 0 end) as completed_without_flow_items,
        sum(case when event_kind = 'completed' and population = 'history_incomplete' then 1 else 0 end) as history_incomplete_completed_items,
        sum(case when event_kind = 'started' and population = 'history_incomplete' then 1 else 0 end) as history_incomplete_started_items,
        count(counted_flow_time_hours) as flow_time_n,
        {{ streamgauge.quantile_cont('counted_flow_time_hours', 0.5) }} as flow_time_p50_hours,
        {{ streamgauge.quantile_cont('counted_flow_time_hours', 0.85) }} as flow_time_p85_hours,
        {{ streamgauge.quantile_cont('counted_flow_time_hours', 0.95) }} as flow_time_p95_hours,
        avg(counted_flow_time_hours) as flow_time_mean_hours,
        count(counted_flow_efficiency) as flow_efficiency_n,
        sum(counted_active_hours) as active_time_hours,
        sum(counted_wait_hours) as wait_time_hours,
        {{ streamgauge.quantile_cont('counted_flow_efficiency', 0.5) }} as flow_efficiency_median
    from rolled_up
    group by value_stream, flow_item_type, period_grain, period_start
),

bounds as (
    select min(event_date) as first_day, {{ as_of_date }} as last_day
    from events
),

days as (
    select spine.day
    from bounds
    {{ streamgauge.days_between_join('bounds.first_day', 'bounds.last_day', 'spine') }}
),

periods as (
    {%- for grain in grains %}
    select distinct '{{ grain }}' as period_grain, {{ streamgauge.period_start('days.day', grain) }} as period_start
    from days
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

streams as (
    select distinct value_stream from items
    union all
    select 'all' as value_stream
),

flow_item_types as (
    select distinct flow_item_type from {{ ref('issue_type_mapping') }} where flow_item_type is not null
    union all
    select 'all' as flow_item_type
),

spine as (
    select streams.value_stream, flow_item_types.flow_item_type, periods.period_grain, periods.period_start
    from streams
    cross join flow_item_types
    cross join periods
),

joined as (
    select
        spine.value_stream,
        spine.flow_item_type,
        spine.period_grain,
        spine.period_start,
        case spine.period_grain
            {%- for grain in grains %}
            when '{{ grain }}' then {{ streamgauge.period_end('spine.period_start', grain) }}
            {%- endfor %}
        end as period_end,
        cast(coalesce(figures.flow_velocity_items, 0) as integer) as flow_velocity_items,
        cast(coalesce(figures.arrival_items, 0) as integer) as arrival_items,
        cast(coalesce(figures.canceled_items, 0) as integer) as canceled_items,
        cast(coalesce(figures.completed_without_flow_items, 0) as integer) as completed_without_flow_items,
        cast(coalesce(figures.history_incomplete_completed_items, 0) as integer) as history_incomplete_completed_items,
        cast(coalesce(figures.history_incomplete_started_items, 0) as integer) as history_incomplete_started_items,
        cast(coalesce(figures.flow_time_n, 0) as integer) as flow_time_n,
        figures.flow_time_p50_hours,
        figures.flow_time_p85_hours,
        figures.flow_time_p95_hours,
        figures.flow_time_mean_hours,
        cast(coalesce(figures.flow_efficiency_n, 0) as integer) as flow_efficiency_n,
        figures.active_time_hours,
        figures.wait_time_hours,
        figures.flow_efficiency_median
    from spine
    left join figures
        on figures.value_stream = spine.value_stream
        and figures.flow_item_type = spine.flow_item_type
        and figures.period_grain = spine.period_grain
        and figures.period_start = spine.period_start
)

select
    value_stream,
    flow_item_type,
    period_grain,
    period_start,
    period_end,
    period_end <= {{ as_of_date }} as is_complete_period,
    flow_velocity_items,
    arrival_items,
    arrival_items - flow_velocity_items as net_flow_items,
    canceled_items,
    completed_without_flow_items,
    history_incomplete_completed_items,
    history_incomplete_started_items,
    flow_time_n,
    flow_time_n < {{ min_n }} as is_small_sample,
    case when flow_time_n >= {{ min_n }} then flow_time_p50_hours end as flow_time_p50_hours,
    case when flow_time_n >= {{ min_n }} then flow_time_p85_hours end as flow_time_p85_hours,
    case when flow_time_n >= {{ min_n }} then flow_time_p95_hours end as flow_time_p95_hours,
    flow_time_mean_hours,
    flow_efficiency_n,
    case when flow_velocity_items > 0 then coalesce(active_time_hours, 0.0) end as active_time_hours,
    case when flow_velocity_items > 0 then coalesce(wait_time_hours, 0.0) end as wait_time_hours,
    case when active_time_hours + wait_time_hours > 0
        then active_time_hours / (active_time_hours + wait_time_hours) end as flow_efficiency_ratio_of_sums,
    case when flow_efficiency_n >= {{ min_n }} then flow_efficiency_median end as flow_efficiency_median,
    case
        when max(case when flow_item_type = 'all' then flow_velocity_items end)
                 over (partition by value_stream, period_grain, period_start) > 0
            then 100.0 * flow_velocity_items
                 / max(case when flow_item_type = 'all' then flow_velocity_items end)
                       over (partition by value_stream, period_grain, period_start)
    end as flow_distribution_pct,
    {{ streamgauge.as_of() }} as as_of
from joined
