{#- Every series process_behaviour charts, one row per point. This model is the charts' extension
    point: a new series (for instance a weekly DORA figure) is one more CTE with the columns below,
    added to the final UNION ALL — process_behaviour needs no change.

    Contract (one row per point; value NULL rows are skipped):
      series          text   series name, with its unit (lead_time_hours, weekly_throughput_items …)
      value_stream    text   Jira project key (or service, for delivery series), and 'all'
      value_unit      text   unit of value (hours, items …); values must be non-negative (the
                             lower natural process limit is clipped at 0)
      point_at        timestamp  orders the points (completion time; a period's start, UTC)
      period_start    date   first local date the point covers (events on/after it annotate it)
      period_end      date   first local date after it (exclusive)
      flow_item_id    text   the item of a per-item point (NULL for period points; breaks ties)
      issue_key       text   its key
      value           double the observation

    Flow series (items counted in flow velocity: completed, entered flow, history complete):
    * lead_time_hours, cycle_time_hours — one point per completed item in completion order; its
      period runs from the day after the previous point's completion date to its own completion
      date, so an event annotates the first item completed on or after it.
    * weekly_throughput_items — flow_metrics' weekly flow velocity (empty weeks are 0);
    * weekly_average_wip_items — the mean over the week's days of flow_load_daily's end-of-day WIP
      (history-complete items).
    Weekly series start at the stream's first week with a counted flow start (weeks before, when
    the stream had no work yet, would make a baseline of zeros) and end with the last complete
    week (the week holding as_of is partial).

    Delivery series (dora_metrics' complete weeks, per service and 'all' for `*`, from the
    service's first week in dora_metrics; each point is the published weekly figure, whatever its n):
    * weekly_deployments — deployment_count (empty weeks 0);
    * weekly_deployment_days — deployment_days (empty weeks 0);
    * weekly_change_lead_time_median_hours — lead_time_median_hours (weeks that shipped no change
      have no point);
    * weekly_change_fail_rate_pct — 100 × change_fail_rate (weeks without deployments have none);
    * weekly_recovery_time_median_hours — recovery_median_hours (weeks in which no incident was
      resolved have none).

    A new series is one more CTE with the contract columns and one more `union all` below. -#}
{%- set tz = var('reporting_timezone', 'UTC') %}
with items as (
    select
        flow_item_id,
        issue_key,
        coalesce(project_key, '(none)') as value_stream,
        flow_end_at,
        completed_date,
        lead_time_hours,
        cycle_time_hours
    from {{ ref('int_flow_items_measured') }}
    where is_completed
        and flow_start_at is not null
        and history_complete
),

item_values as (
    select 'lead_time_hours' as series, items.*, lead_time_hours as value from items
    union all
    select 'cycle_time_hours' as series, items.*, cycle_time_hours as value from items
),

item_series as (
    select
        item_values.series,
        case when rollup.is_total then 'all' else item_values.value_stream end as value_stream,
        item_values.flow_item_id,
        item_values.issue_key,
        item_values.flow_end_at,
        item_values.completed_date,
        item_values.value
    from item_values
    cross join ({{ streamgauge.stream_rollup() }}) as rollup
    where item_values.value is not null
),

item_points as (
    select
        series,
        value_stream,
        'hours' as value_unit,
        flow_end_at as point_at,
        coalesce(
            {{ streamgauge.add_days('lag(completed_date) over (partition by series, value_stream order by flow_end_at, flow_item_id)', 1) }},
            completed_date
        ) as period_start,
        {{ streamgauge.add_days('completed_date', 1) }} as period_end,
        flow_item_id,
        issue_key,
        cast(value as double precision) as value
    from item_series
),

weeks as (
    select value_stream, period_start, period_end, flow_velocity_items, arrival_items, is_complete_period
    from {{ ref('flow_metrics') }}
    where period_grain = 'week'
        and flow_item_type = 'all'
),

first_weeks as (
    select value_stream, min(period_start) as first_week
    from weeks
    where arrival_items > 0
    group by value_stream
),

charted_weeks as (
    select weeks.*
    from weeks
    inner join first_weeks
        on first_weeks.value_stream = weeks.value_stream
        and weeks.period_start >= first_weeks.first_week
    where weeks.is_complete_period
),

throughput_points as (
    select
        'weekly_throughput_items' as series,
        value_stream,
        'items' as value_unit,
        {{ streamgauge.local_midnight_utc('period_start', tz) }} as point_at,
        period_start,
        period_end,
        cast(null as {{ dbt.type_string() }}) as flow_item_id,
        cast(null as {{ dbt.type_string() }}) as issue_key,
        cast(flow_velocity_items as double precision) as value
    from charted_weeks
),

daily_wip as (
    select value_stream, day, sum(wip_items - history_incomplete_wip_items) as wip_items
    from {{ ref('flow_load_daily') }}
    group by value_stream, day
),

wip_points as (
    select
        'weekly_average_wip_items' as series,
        charted_weeks.value_stream,
        'items' as value_unit,
        {{ streamgauge.local_midnight_utc('charted_weeks.period_start', tz) }} as point_at,
        charted_weeks.period_start,
        charted_weeks.period_end,
        cast(null as {{ dbt.type_string() }}) as flow_item_id,
        cast(null as {{ dbt.type_string() }}) as issue_key,
        cast(avg(daily_wip.wip_items) as double precision) as value
    from charted_weeks
    inner join daily_wip
        on daily_wip.value_stream = charted_weeks.value_stream
        and daily_wip.day >= charted_weeks.period_start
        and daily_wip.day < charted_weeks.period_end
    group by charted_weeks.value_stream, charted_weeks.period_start, charted_weeks.period_end
),

dora_weeks as (
    select
        case when service = '*' then 'all' else service end as value_stream,
        {{ streamgauge.local_midnight_utc('period_start', tz) }} as point_at,
        period_start,
        period_end,
        deployment_count,
        deployment_days,
        lead_time_median_hours,
        change_fail_rate,
        recovery_median_hours
    from {{ ref('dora_metrics') }}
    where period_grain = 'week'
        and is_period_complete
),

dora_values as (
    select 'weekly_deployments' as series, 'deployments' as value_unit, dora_weeks.*,
           cast(deployment_count as double precision) as value
    from dora_weeks
    union all
    select 'weekly_deployment_days' as series, 'days' as value_unit, dora_weeks.*,
           cast(deployment_days as double precision) as value
    from dora_weeks
    union all
    select 'weekly_change_lead_time_median_hours' as series, 'hours' as value_unit, dora_weeks.*,
           cast(lead_time_median_hours as double precision) as value
    from dora_weeks
    union all
    select 'weekly_change_fail_rate_pct' as series, 'percent' as value_unit, dora_weeks.*,
           cast(100 * change_fail_rate as double precision) as value
    from dora_weeks
    union all
    select 'weekly_recovery_time_median_hours' as series, 'hours' as value_unit, dora_weeks.*,
           cast(recovery_median_hours as double precision) as value
    from dora_weeks
),

dora_points as (
    select
        series,
        value_stream,
        value_unit,
        point_at,
        period_start,
        period_end,
        cast(null as {{ dbt.type_string() }}) as flow_item_id,
        cast(null as {{ dbt.type_string() }}) as issue_key,
        value
    from dora_values
    where value is not null
)

select * from item_points
union all
select * from throughput_points
union all
select * from wip_points
union all
select * from dora_points
