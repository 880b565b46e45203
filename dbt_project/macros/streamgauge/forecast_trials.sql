{#- The outcome of every Monte Carlo trial of the forecasts, for every value stream at once.

    `draws` has one row per (trial, day_number) with the sample_index the trial replays on that
    forecast day (1 … simulated_days); `stream_throughput` one row per (stream_number,
    sample_index) with its completed_items (int_flow_throughput_daily_counted gives every stream
    every sample index); `targets` one row per (stream_number, target_items).

    Returns one row per (stream_number, trial): done_day_number, the first forecast day on which
    the trial's cumulative completions reach target_items (simulated_days + 1 when they never do),
    and items_by_target, its completions on days 1 … horizon_days. The work is streams × trials ×
    simulated days (1.1 billion draws at 1,000,000 flow items); how each database does it is its own
    business. -#}
{% macro forecast_trial_outcomes(draws, stream_throughput, targets, horizon_days, simulated_days) -%}
    {{- return(adapter.dispatch('forecast_trial_outcomes', 'streamgauge')(
        draws, stream_throughput, targets, horizon_days, simulated_days)) -}}
{%- endmacro %}

{#- DuckDB: one row per stream and trial with its days as a list, never one row per draw.

    Each stream's throughput becomes a list by sample index and each trial's draws a list by day,
    so a (stream, trial) row looks its days up in its stream's list: no join, aggregate or sort
    over the draws. One pass over the days (list_reduce) counts the days on which the running
    total is still short of the target: completions never fall, so those are the first days, and
    the target is reached the day after. Uses DuckDB lists and lambdas. -#}
{% macro duckdb__forecast_trial_outcomes(draws, stream_throughput, targets, horizon_days, simulated_days) %}
with sample_indexes as (
    select unnest(range(0, max(sample_index) + 1)) as sample_index
    from {{ stream_throughput }}
),

-- list position i + 1 holds sample index i (0 where a stream would lack it)
stream_days as (
    select
        streams.stream_number,
        list(coalesce(stream_throughput.completed_items, 0) order by sample_indexes.sample_index)
            as items_by_sample_index
    from (select distinct stream_number from {{ stream_throughput }}) as streams
    cross join sample_indexes
    left join {{ stream_throughput }} as stream_throughput
        on stream_throughput.stream_number = streams.stream_number
        and stream_throughput.sample_index = sample_indexes.sample_index
    group by streams.stream_number
),

trial_draws as (
    select trial, list(sample_index order by day_number) as sample_indexes
    from {{ draws }}
    group by trial
),

trial_days as (
    select
        stream_days.stream_number,
        trial_draws.trial,
        targets.target_items,
        list_transform(trial_draws.sample_indexes,
            lambda i: coalesce(stream_days.items_by_sample_index[i + 1], 0)) as day_items
    from stream_days
    inner join {{ targets }} as targets
        on targets.stream_number = stream_days.stream_number
    cross join trial_draws
)

select
    stream_number,
    trial,
    1 + list_reduce(
        day_items,
        lambda total, items: {
            'items': total.items + items,
            'short_days': total.short_days + case when total.items + items < target_items then 1 else 0 end
        },
        {'items': cast(0 as bigint), 'short_days': 0}
    ).short_days as done_day_number,
    coalesce(list_sum(day_items[1 : {{ horizon_days }}]), 0) as items_by_target
from trial_days
{% endmacro %}

{#- Portable SQL: the throughput of every trial's 7-day blocks, their running totals (a window),
    then the days of the one block per trial in which the target is reached. -#}
{% macro default__forecast_trial_outcomes(draws, stream_throughput, targets, horizon_days, simulated_days) %}
with blocked_draws as (
    select trial, day_number, sample_index, cast(floor((day_number - 1) / 7.0) as integer) as block_number
    from {{ draws }}
),

-- cumulating 7-day sums first and the days of one block per trial after is much cheaper than
-- cumulating every day; horizon_items is the part of the block up to the target date
blocks as (
    select
        stream_throughput.stream_number,
        blocked_draws.trial,
        blocked_draws.block_number,
        sum(stream_throughput.completed_items) as block_items,
        sum(case when blocked_draws.day_number <= {{ horizon_days }} then stream_throughput.completed_items else 0 end)
            as horizon_items
    from blocked_draws
    inner join {{ stream_throughput }} as stream_throughput
        on stream_throughput.sample_index = blocked_draws.sample_index
    group by stream_throughput.stream_number, blocked_draws.trial, blocked_draws.block_number
),

cumulated_blocks as (
    select
        blocks.*,
        sum(block_items) over (
            partition by stream_number, trial order by block_number
            rows between unbounded preceding and current row
        ) as cumulative_items
    from blocks
),

-- per trial: the block in which it reaches its target, what it had completed before that block
-- (completions never fall, so the least of "before the block" over the blocks at or past the
-- target is the crossing block's) and its completions by the target date, in one pass
trial_blocks as (
    select
        cumulated_blocks.stream_number,
        cumulated_blocks.trial,
        targets.target_items,
        min(case when cumulated_blocks.cumulative_items >= targets.target_items
            then cumulated_blocks.block_number end) as crossing_block_number,
        min(case when cumulated_blocks.cumulative_items >= targets.target_items
            then cumulated_blocks.cumulative_items - cumulated_blocks.block_items end) as items_before_crossing,
        sum(cumulated_blocks.horizon_items) as items_by_target
    from cumulated_blocks
    inner join {{ targets }} as targets
        on targets.stream_number = cumulated_blocks.stream_number
    group by cumulated_blocks.stream_number, cumulated_blocks.trial, targets.target_items
),

crossing_days as (
    select
        trial_blocks.stream_number,
        trial_blocks.trial,
        trial_blocks.target_items,
        blocked_draws.day_number,
        trial_blocks.items_before_crossing + sum(stream_throughput.completed_items) over (
            partition by trial_blocks.stream_number, trial_blocks.trial order by blocked_draws.day_number
            rows between unbounded preceding and current row
        ) as cumulative_items
    from trial_blocks
    inner join blocked_draws
        on blocked_draws.trial = trial_blocks.trial
        and blocked_draws.block_number = trial_blocks.crossing_block_number
    inner join {{ stream_throughput }} as stream_throughput
        on stream_throughput.stream_number = trial_blocks.stream_number
        and stream_throughput.sample_index = blocked_draws.sample_index
),

done_days as (
    select stream_number, trial, min(day_number) as done_day_number
    from crossing_days
    where cumulative_items >= target_items
    group by stream_number, trial
)

select
    trial_blocks.stream_number,
    trial_blocks.trial,
    coalesce(done_days.done_day_number, {{ simulated_days + 1 }}) as done_day_number,
    trial_blocks.items_by_target
from trial_blocks
left join done_days
    on done_days.stream_number = trial_blocks.stream_number
    and done_days.trial = trial_blocks.trial
{% endmacro %}
