{#- Process behaviour charts (XmR) of every series of int_process_behaviour_series_unioned, per
    series and value stream: one row per point in order, with its moving range, its segment's
    frozen baseline and limits, the detection rules and the events_log entries in its period.

    * mR = |x − previous x| (over the whole series, so the first point of a new segment shows the
      jump from the last point of the previous one).
    * A segment's baseline is its first var xmr_baseline_points points (fewer when the series ends
      sooner): centre X̄ = their mean, mR̄ = the mean of their moving ranges after the segment's
      first point; UNPL = X̄ + 2.66·mR̄, LNPL = max(0, X̄ − 2.66·mR̄), URL = 3.268·mR̄. The limits
      are frozen for the whole segment.
    * Rule 1: the value is outside [LNPL, UNPL], or mR is above the URL.
      Rule 2: three of four consecutive points of a segment beyond X̄ + 1.33·mR̄ (or below
      X̄ − 1.33·mR̄); the points beyond the line are marked. Rule 3: a run of var xmr_run_length
      points on one side of the centre (a point on the centre breaks a run); every point of the run
      is marked.
    * Re-baselining: a rule-3 run that reaches past the segment's baseline confirms a shift (the
      first such run of the segment); a new segment starts at the run's first point with its own
      baseline (segments are kept). The run's points stay marked (is_shift_run). Points are walked
      in order by a recursive CTE that restarts at the run's first point when a shift is confirmed.
    * Rules not listed in var xmr_rules are never marked; without rule 3 there is one segment. -#}
{%- set baseline_points = var('xmr_baseline_points', 20) | int %}
{%- set run_length = var('xmr_run_length', 8) | int %}
{%- set rules = var('xmr_rules', [1, 2, 3]) | map('int') | list %}
{%- if baseline_points < 2 or run_length < 2 %}
    {{- exceptions.raise_compiler_error('vars xmr_baseline_points and xmr_run_length must be at least 2') }}
{%- endif %}
{%- if 3 in rules %}
    {%- set confirms -%}
        (w.run_length >= {{ run_length }}
         and w.point_index >= w.segment_start_index + {{ baseline_points }}
         and w.run_start_index > w.segment_start_index)
    {%- endset %}
{%- else %}
    {%- set confirms = '(1 = 0)' %}
{%- endif %}
with recursive points as (
    select
        series,
        value_stream,
        value_unit,
        point_at,
        period_start,
        period_end,
        flow_item_id,
        issue_key,
        value,
        cast(row_number() over (
            partition by series, value_stream order by point_at, flow_item_id
        ) as integer) as point_index
    from {{ ref('int_process_behaviour_series_unioned') }}
    where value is not null
),

ranged as (
    select
        points.*,
        abs(value - lag(value) over (partition by series, value_stream order by point_index)) as moving_range
    from points
),

-- the baseline a segment starting at each point would have: that point and the next ones
candidate_baselines as (
    select
        series,
        value_stream,
        point_index as start_index,
        count(*) over baseline as baseline_n,
        avg(value) over baseline as centre_line,
        sum(moving_range) over baseline - coalesce(moving_range, 0) as baseline_moving_range_sum
    from ranged
    window baseline as (
        partition by series, value_stream order by point_index
        rows between current row and {{ baseline_points - 1 }} following
    )
),

walk as (
    select
        ranged.series,
        ranged.value_stream,
        ranged.point_index,
        1 as segment_number,
        1 as segment_start_index,
        cast(null as integer) as shift_run_end_index,
        {{ streamgauge.xmr_side('ranged.value', 'baseline.centre_line') }} as side,
        case when {{ streamgauge.xmr_side('ranged.value', 'baseline.centre_line') }} = 0 then 0 else 1 end as run_length,
        ranged.point_index as run_start_index
    from ranged
    inner join candidate_baselines as baseline
        on baseline.series = ranged.series
        and baseline.value_stream = ranged.value_stream
        and baseline.start_index = 1
    where ranged.point_index = 1

    union all

    select
        ranged.series,
        ranged.value_stream,
        ranged.point_index,
        w.segment_number + case when {{ confirms }} then 1 else 0 end,
        case when {{ confirms }} then w.run_start_index else w.segment_start_index end,
        case when {{ confirms }} then w.point_index else w.shift_run_end_index end,
        {{ streamgauge.xmr_side('ranged.value', 'baseline.centre_line') }},
        case
            when {{ streamgauge.xmr_side('ranged.value', 'baseline.centre_line') }} = 0 then 0
            when not {{ confirms }} and {{ streamgauge.xmr_side('ranged.value', 'baseline.centre_line') }} = w.side
                then w.run_length + 1
            else 1
        end,
        case
            when not {{ confirms }} and {{ streamgauge.xmr_side('ranged.value', 'baseline.centre_line') }} <> 0
                 and {{ streamgauge.xmr_side('ranged.value', 'baseline.centre_line') }} = w.side
                then w.run_start_index
            else ranged.point_index
        end
    from walk as w
    inner join ranged
        on ranged.series = w.series
        and ranged.value_stream = w.value_stream
        and ranged.point_index = case when {{ confirms }} then w.run_start_index else w.point_index + 1 end
    inner join candidate_baselines as baseline
        on baseline.series = w.series
        and baseline.value_stream = w.value_stream
        and baseline.start_index = case when {{ confirms }} then w.run_start_index else w.segment_start_index end
),

-- a point walked again after a shift belongs to the later segment
assigned as (
    select
        series,
        value_stream,
        point_index,
        segment_number,
        segment_start_index,
        shift_run_end_index,
        row_number() over (partition by series, value_stream, point_index order by segment_number desc) as recency
    from walk
),

segments as (
    select
        assigned.series,
        assigned.value_stream,
        assigned.segment_number,
        max(assigned.segment_start_index) as segment_start_index,
        max(assigned.shift_run_end_index) as shift_run_end_index
    from assigned
    where assigned.recency = 1
    group by assigned.series, assigned.value_stream, assigned.segment_number
),

limits as (
    select
        segments.*,
        baseline.baseline_n,
        segments.segment_start_index + baseline.baseline_n - 1 as baseline_end_index,
        baseline.centre_line,
        case when baseline.baseline_n > 1
            then baseline.baseline_moving_range_sum / (baseline.baseline_n - 1) end as average_moving_range
    from segments
    inner join candidate_baselines as baseline
        on baseline.series = segments.series
        and baseline.value_stream = segments.value_stream
        and baseline.start_index = segments.segment_start_index
),

charted as (
    select
        ranged.*,
        limits.segment_number,
        limits.segment_start_index,
        limits.shift_run_end_index,
        limits.baseline_n,
        limits.baseline_end_index,
        limits.centre_line,
        limits.average_moving_range,
        limits.centre_line + 2.66 * limits.average_moving_range as unpl,
        case
            when limits.centre_line - 2.66 * limits.average_moving_range > 0
                then limits.centre_line - 2.66 * limits.average_moving_range
            when limits.average_moving_range is not null then 0.0
        end as lnpl,
        3.268 * limits.average_moving_range as url,
        limits.centre_line + 1.33 * limits.average_moving_range as upper_zone_limit,
        limits.centre_line - 1.33 * limits.average_moving_range as lower_zone_limit,
        {{ streamgauge.xmr_side('ranged.value', 'limits.centre_line') }} as side
    from ranged
    inner join assigned
        on assigned.series = ranged.series
        and assigned.value_stream = ranged.value_stream
        and assigned.point_index = ranged.point_index
        and assigned.recency = 1
    inner join limits
        on limits.series = assigned.series
        and limits.value_stream = assigned.value_stream
        and limits.segment_number = assigned.segment_number
),

zoned as (
    select
        charted.*,
        coalesce(value > upper_zone_limit, false) as is_upper_zone,
        coalesce(value < lower_zone_limit, false) as is_lower_zone,
        case
            when lag(side) over (
                partition by series, value_stream, segment_number order by point_index
            ) = side then 0
            else 1
        end as starts_run
    from charted
),

windowed as (
    select
        zoned.*,
        -- points beyond the 1.33·mR̄ line among the four ending here
        sum(case when is_upper_zone then 1 else 0 end) over four_ending_here as upper_in_window,
        sum(case when is_lower_zone then 1 else 0 end) over four_ending_here as lower_in_window,
        sum(starts_run) over (
            partition by series, value_stream, segment_number order by point_index
            rows between unbounded preceding and current row
        ) as run_number
    from zoned
    window four_ending_here as (
        partition by series, value_stream, segment_number order by point_index
        rows between 3 preceding and current row
    )
),

signalled as (
    select
        windowed.*,
        -- a window of four that ends at or within three points after this one qualifies
        max(case when upper_in_window >= 3 then 1 else 0 end) over four_starting_here as upper_window_hit,
        max(case when lower_in_window >= 3 then 1 else 0 end) over four_starting_here as lower_window_hit,
        count(*) over (
            partition by series, value_stream, segment_number, run_number
        ) as run_points
    from windowed
    window four_starting_here as (
        partition by series, value_stream, segment_number order by point_index
        rows between current row and 3 following
    )
),

flagged as (
    select
        signalled.*,
        {% if 1 in rules %}coalesce(value > unpl or value < lnpl, false){% else %}false{% endif %} as is_outside_limits,
        {% if 1 in rules %}coalesce(moving_range > url, false){% else %}false{% endif %} as is_moving_range_above_url,
        {% if 2 in rules %}(is_upper_zone and upper_window_hit = 1) or (is_lower_zone and lower_window_hit = 1){% else %}false{% endif %} as is_rule_2,
        {% if 3 in rules %}coalesce(point_index <= shift_run_end_index, false){% else %}false{% endif %} as is_shift_run,
        {% if 3 in rules %}side <> 0 and run_points >= {{ run_length }}{% else %}false{% endif %} as is_segment_run
    from signalled
),

events as (
    select event_date, value_stream, title
    from {{ ref('events_log') }}
),

point_events as (
    select
        points.series,
        points.value_stream,
        points.point_index,
        count(*) as event_count,
        {{ dbt.listagg(
            dbt.concat(['cast(events.event_date as ' ~ dbt.type_string() ~ ')', "' '", 'events.value_stream', "': '", 'events.title']),
            "'; '",
            'order by events.event_date, events.value_stream, events.title') }} as events
    from points
    inner join events
        on (events.value_stream = '*' or events.value_stream = points.value_stream or points.value_stream = 'all')
        and events.event_date >= points.period_start
        and events.event_date < points.period_end
    group by points.series, points.value_stream, points.point_index
)

select
    flagged.series,
    flagged.value_stream,
    flagged.value_unit,
    flagged.point_index,
    flagged.point_at,
    flagged.period_start,
    flagged.period_end,
    flagged.flow_item_id,
    flagged.issue_key,
    flagged.value,
    flagged.moving_range,
    cast(flagged.segment_number as integer) as segment_number,
    flagged.point_index = flagged.segment_start_index as is_segment_start,
    cast(flagged.segment_start_index as integer) as baseline_start_index,
    cast(flagged.baseline_end_index as integer) as baseline_end_index,
    cast(flagged.baseline_n as integer) as baseline_n,
    flagged.point_index <= flagged.baseline_end_index as is_baseline_point,
    flagged.centre_line,
    flagged.average_moving_range,
    flagged.unpl,
    flagged.lnpl,
    flagged.url,
    flagged.upper_zone_limit,
    flagged.lower_zone_limit,
    flagged.is_outside_limits,
    flagged.is_moving_range_above_url,
    flagged.is_outside_limits or flagged.is_moving_range_above_url as is_rule_1,
    flagged.is_rule_2,
    flagged.is_segment_run or flagged.is_shift_run as is_rule_3,
    flagged.is_shift_run,
    flagged.is_outside_limits or flagged.is_moving_range_above_url or flagged.is_rule_2
        or flagged.is_segment_run or flagged.is_shift_run as is_signal,
    cast(coalesce(point_events.event_count, 0) as integer) as event_count,
    point_events.events
from flagged
left join point_events
    on point_events.series = flagged.series
    and point_events.value_stream = flagged.value_stream
    and point_events.point_index = flagged.point_index
