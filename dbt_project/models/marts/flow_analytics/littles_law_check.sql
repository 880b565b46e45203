{#- Little's law consistency check per value stream (and 'all') over the flow analytics window
    (var flow_analytics_window_days full local days before the as_of date): the average WIP
    observed at the end of each day against throughput × average flow time of the items completed
    in the window. Both sides use the same items: flow velocity's (entered flow, history complete);
    WIP counts them at every day's end as flow_load_daily does.

    The law holds for a stable system: the check is flagged when WIP at the window's end differs
    from WIP at its start (the end of the day before) by more than var littles_law_max_wip_change
    of the average WIP, or when the relative deviation exceeds var littles_law_max_deviation. -#}
{%- set tz = var('reporting_timezone', 'UTC') %}
{%- set min_n = var('min_sample_n', 5) | int %}
{%- set max_deviation = var('littles_law_max_deviation', 0.2) %}
{%- set max_wip_change = var('littles_law_max_wip_change', 0.25) %}
{%- set window = streamgauge.flow_analytics_window() %}
{%- set opening_day = window['start_date'] - modules.datetime.timedelta(days=1) %}
{%- set last_day = window['end_date'] - modules.datetime.timedelta(days=1) %}
with items as (
    select *, coalesce(project_key, '(none)') as value_stream
    from {{ ref('int_flow_items_measured') }}
),

streams as (
    select distinct value_stream from items
    union all
    select 'all' as value_stream
),

daily_wip as (
    select
        day,
        value_stream,
        sum(wip_items - history_incomplete_wip_items) as wip_items
    from {{ ref('flow_load_daily') }}
    where day >= {{ streamgauge.date_literal(opening_day) }}
        and day <= {{ streamgauge.date_literal(last_day) }}
    group by day, value_stream
),

wip as (
    select
        streams.value_stream,
        coalesce(sum(case when daily_wip.day >= {{ streamgauge.date_literal(window['start_date']) }}
                          then daily_wip.wip_items end), 0) * 1.0 / {{ window['days'] }} as avg_wip_items,
        coalesce(max(case when daily_wip.day = {{ streamgauge.date_literal(opening_day) }}
                          then daily_wip.wip_items end), 0) as wip_start_items,
        coalesce(max(case when daily_wip.day = {{ streamgauge.date_literal(last_day) }}
                          then daily_wip.wip_items end), 0) as wip_end_items
    from streams
    left join daily_wip
        on daily_wip.value_stream = streams.value_stream
    group by streams.value_stream
),

window_items as (
    select
        case when rollup.is_total then 'all' else items.value_stream end as value_stream,
        items.flow_end_at,
        items.flow_start_at,
        items.canceled_at,
        items.is_completed,
        items.is_canceled,
        items.history_complete,
        items.flow_time_hours
    from items
    cross join ({{ streamgauge.stream_rollup() }}) as rollup
),

flows as (
    select
        streams.value_stream,
        count(case when window_items.is_completed
                        and window_items.flow_start_at is not null
                        and window_items.history_complete
                        and window_items.flow_end_at >= {{ window['start_at'] }}
                        and window_items.flow_end_at < {{ window['end_at'] }}
                   then window_items.flow_time_hours end) as completed_items,
        avg(case when window_items.is_completed
                      and window_items.flow_start_at is not null
                      and window_items.history_complete
                      and window_items.flow_end_at >= {{ window['start_at'] }}
                      and window_items.flow_end_at < {{ window['end_at'] }}
                 then window_items.flow_time_hours end) as avg_flow_time_hours,
        count(case when window_items.history_complete
                        and window_items.flow_start_at >= {{ window['start_at'] }}
                        and window_items.flow_start_at < {{ window['end_at'] }}
                   then 1 end) as arrival_items,
        count(case when window_items.history_complete
                        and window_items.flow_start_at is not null
                        and window_items.canceled_at >= {{ window['start_at'] }}
                        and window_items.canceled_at < {{ window['end_at'] }}
                   then 1 end) as canceled_items
    from streams
    left join window_items
        on window_items.value_stream = streams.value_stream
    group by streams.value_stream
),

computed as (
    select
        wip.value_stream,
        wip.avg_wip_items,
        wip.wip_start_items,
        wip.wip_end_items,
        flows.arrival_items,
        flows.completed_items,
        flows.canceled_items,
        flows.completed_items * 1.0 / {{ window['days'] }} as throughput_items_per_day,
        flows.avg_flow_time_hours,
        flows.avg_flow_time_hours / 24.0 as avg_flow_time_days
    from wip
    inner join flows
        on flows.value_stream = wip.value_stream
),

checked as (
    select
        computed.*,
        throughput_items_per_day * avg_flow_time_days as expected_wip_items,
        case when avg_wip_items > 0
            then (throughput_items_per_day * avg_flow_time_days - avg_wip_items) / avg_wip_items end as relative_deviation,
        case when avg_wip_items > 0
            then abs(wip_end_items - wip_start_items) / avg_wip_items end as wip_change_ratio
    from computed
)

select
    value_stream,
    {{ streamgauge.date_literal(window['start_date']) }} as window_start_date,
    {{ streamgauge.date_literal(window['end_date']) }} as window_end_date,
    {{ window['days'] }} as window_days,
    avg_wip_items,
    cast(wip_start_items as integer) as wip_start_items,
    cast(wip_end_items as integer) as wip_end_items,
    wip_change_ratio,
    cast(arrival_items as integer) as arrival_items,
    cast(completed_items as integer) as completed_items,
    cast(canceled_items as integer) as canceled_items,
    throughput_items_per_day,
    avg_flow_time_hours,
    avg_flow_time_days,
    expected_wip_items,
    relative_deviation,
    completed_items < {{ min_n }} as is_small_sample,
    coalesce(wip_change_ratio <= {{ max_wip_change }}, false) as is_wip_stable,
    coalesce(abs(relative_deviation) <= {{ max_deviation }}, false) as is_within_tolerance,
    not coalesce(wip_change_ratio <= {{ max_wip_change }}, false)
        or not coalesce(abs(relative_deviation) <= {{ max_deviation }}, false) as is_flagged,
    {{ streamgauge.as_of() }} as as_of
from checked
