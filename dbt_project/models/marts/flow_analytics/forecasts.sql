{#- Monte Carlo forecasts per value stream (and 'all') from the daily throughput of the sample
    window (int_flow_throughput_daily_counted: zero days included).

    Trial t (1…var forecast_trials) simulates forecast day d (1, 2, …; day 1 is the local date of
    as_of, counted as a whole day) by drawing sample day
    hash_bucket('<forecast_seed>:<t>:<d>', sample days) — the first 32 bits of the MD5 of that
    text modulo the number of sample days — and completing that day's throughput. No random():
    the same data, seed and vars give the same forecast on every run and database, and every
    stream draws the same calendar days (so 'all' is the sum of the streams).

    * When: the day a trial's cumulative completions reach target_items (var forecast_items, else
      the stream's open flow items); p50/p85/p95 are the 50th/85th/95th nearest-rank percentiles of
      that day over the trials (later dates = more confidence). Trials not done within var
      forecast_max_days (or the horizon, when longer) count as later than any date.
    * How many: completions through target_date (var forecast_target_date, else
      forecast_horizon_days days on); p85 confidence = at least that many in 85 % of the trials =
      the 15th nearest-rank percentile of the counts (p50: 50th, p95: 5th).
    Below var min_sample_n completions in the sample the percentiles are NULL (is_small_sample). -#}
{%- set trials = var('forecast_trials', 10000) | int %}
{%- set seed = var('forecast_seed', 42) | int %}
{%- set min_n = var('min_sample_n', 5) | int %}
{%- set dates = streamgauge.forecast_dates() %}
{%- set simulated_days = [var('forecast_max_days', 182) | int, dates['horizon_days']] | max %}
{%- set forecast_items = var('forecast_items', none) %}
{%- set has_forecast_items = forecast_items is not none and (forecast_items | string | trim) not in ('', 'None', 'null') %}
{%- if trials < 1 %}
    {{- exceptions.raise_compiler_error('var forecast_trials must be at least 1') }}
{%- endif %}
with throughput as (
    select value_stream, day, sample_index, completed_items
    from {{ ref('int_flow_throughput_daily_counted') }}
),

samples as (
    select
        value_stream,
        cast(row_number() over (order by value_stream) as integer) as stream_number,
        count(*) as sample_days,
        min(day) as sample_start_date,
        max(day) as sample_end_date,
        sum(completed_items) as sample_completed_items,
        sum(case when completed_items = 0 then 1 else 0 end) as sample_zero_days
    from throughput
    group by value_stream
),

sample_size as (
    select max(sample_days) as sample_days from samples
),

open_items as (
    select
        case when rollup.is_total then 'all' else coalesce(items.project_key, '(none)') end as value_stream,
        count(case when not items.is_completed and not items.is_canceled then 1 end) as open_items
    from {{ ref('int_flow_items_measured') }} as items
    cross join ({{ streamgauge.stream_rollup() }}) as rollup
    group by 1
),

targets as (
    select
        samples.*,
        cast(coalesce(open_items.open_items, 0) as integer) as open_items,
        {%- if has_forecast_items %}
        cast({{ forecast_items | int }} as integer) as target_items,
        'var' as target_items_source
        {%- else %}
        cast(coalesce(open_items.open_items, 0) as integer) as target_items,
        'open_items' as target_items_source
        {%- endif %}
    from samples
    left join open_items
        on open_items.value_stream = samples.value_stream
),

trial_numbers as (
    select cast(generated_number as integer) as trial
    from ({{ dbt.generate_series(trials) }}) as series
),

day_numbers as (
    select cast(generated_number as integer) as day_number
    from ({{ dbt.generate_series(simulated_days) }}) as series
),

draws as (
    select
        trial_numbers.trial,
        day_numbers.day_number,
        {{ streamgauge.hash_bucket(
            dbt.concat(["'" ~ seed ~ ":'", 'cast(trial_numbers.trial as ' ~ dbt.type_string() ~ ')', "':'",
                        'cast(day_numbers.day_number as ' ~ dbt.type_string() ~ ')']),
            'sample_size.sample_days') }} as sample_index
    from trial_numbers
    cross join day_numbers
    cross join sample_size
    where sample_size.sample_days > 0
),

-- Every stream draws the same sample days, so the draws are joined to each stream's throughput
-- where they are used (forecast_trial_outcomes). Streams are numbered (samples) to keep that on
-- integers.
stream_throughput as (
    select samples.stream_number, throughput.sample_index, throughput.completed_items
    from throughput
    inner join samples
        on samples.value_stream = throughput.value_stream
),

trial_results as (
    {{ streamgauge.forecast_trial_outcomes(
        'draws', 'stream_throughput', 'targets', dates['horizon_days'], simulated_days) }}
),

trial_outcomes as (
    select
        targets.value_stream,
        trial_results.trial,
        trial_results.done_day_number,
        trial_results.items_by_target
    from trial_results
    inner join targets
        on targets.stream_number = trial_results.stream_number
),

distribution as (
    select
        value_stream,
        count(*) as trials,
        sum(case when done_day_number > {{ simulated_days }} then 1 else 0 end) as unfinished_trials,
        {{ streamgauge.quantile_nearest_rank('done_day_number', 0.5) }} as done_day_p50,
        {{ streamgauge.quantile_nearest_rank('done_day_number', 0.85) }} as done_day_p85,
        {{ streamgauge.quantile_nearest_rank('done_day_number', 0.95) }} as done_day_p95,
        {{ streamgauge.quantile_nearest_rank('items_by_target', 0.5) }} as items_p50,
        {{ streamgauge.quantile_nearest_rank('items_by_target', 0.15) }} as items_p85,
        {{ streamgauge.quantile_nearest_rank('items_by_target', 0.05) }} as items_p95
    from trial_outcomes
    group by value_stream
),

combined as (
    select
        targets.*,
        targets.sample_completed_items < {{ min_n }} as is_small_sample,
        distribution.unfinished_trials,
        distribution.done_day_p50,
        distribution.done_day_p85,
        distribution.done_day_p95,
        distribution.items_p50,
        distribution.items_p85,
        distribution.items_p95
    from targets
    left join distribution
        on distribution.value_stream = targets.value_stream
)

select
    value_stream,
    {{ streamgauge.as_of() }} as as_of,
    {{ streamgauge.date_literal(dates['start_date']) }} as forecast_start_date,
    sample_start_date,
    sample_end_date,
    cast(sample_days as integer) as sample_days,
    cast(sample_completed_items as integer) as sample_completed_items,
    cast(sample_zero_days as integer) as sample_zero_days,
    sample_completed_items * 1.0 / sample_days as mean_daily_throughput_items,
    {{ trials }} as trials,
    {{ seed }} as seed,
    is_small_sample,
    open_items,
    target_items,
    target_items_source,
    {{ simulated_days }} as simulated_days,
    cast(case when target_items > 0 then unfinished_trials else 0 end as integer) as unfinished_trials,
    {%- for p in ['p50', 'p85', 'p95'] %}
    case when not is_small_sample and target_items > 0 and done_day_{{ p }} <= {{ simulated_days }}
        then {{ streamgauge.add_days(streamgauge.date_literal(dates['start_date']), 'done_day_' ~ p ~ ' - 1') }}
    end as when_done_{{ p }}_date,
    {%- endfor %}
    {{ streamgauge.date_literal(dates['target_date']) }} as target_date,
    {{ dates['horizon_days'] }} as horizon_days,
    {%- for p in ['p50', 'p85', 'p95'] %}
    case when not is_small_sample then cast(items_{{ p }} as integer) end as how_many_{{ p }}_items{{ ',' if not loop.last }}
    {%- endfor %}
from combined
