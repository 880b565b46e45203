{#- The throughput history the forecasts sample: one row per value stream (and 'all') and local day
    of the sample window, zero days included. The window is the forecast_sample_days full local
    days before the local date of as_of, but not before the first local day any flow item entered
    flow (days before the organisation's data would all be zero). Every stream has the same days,
    numbered 0… by sample_index, so the forecasts draw the same calendar day for every stream and
    the 'all' stream is the sum of the others. Items counted: flow velocity's — completed, entered
    flow, history complete — on their local completion date. -#}
{%- set tz = var('reporting_timezone', 'UTC') %}
{%- set as_of_date = streamgauge.as_of_local_date() %}
{%- set sample_start = as_of_date - modules.datetime.timedelta(days=(var('forecast_sample_days', 90) | int)) %}
with spans as (
    select * from {{ ref('int_flow_item_spans_computed') }}
),

issues as (
    select source, issue_id, coalesce(project_key, '(none)') as value_stream
    from {{ ref('stg_jira__issues') }}
),

items as (
    select
        issues.value_stream,
        spans.flow_start_at,
        spans.is_completed and spans.flow_start_at is not null and spans.history_complete as is_counted,
        {{ streamgauge.utc_to_local_date('spans.flow_end_at', tz) }} as completed_date
    from spans
    inner join issues
        on issues.source = spans.source
        and issues.issue_id = spans.issue_id
),

bounds as (
    select
        case
            when min({{ streamgauge.utc_to_local_date('flow_start_at', tz) }}) > {{ streamgauge.date_literal(sample_start) }}
                then min({{ streamgauge.utc_to_local_date('flow_start_at', tz) }})
            else {{ streamgauge.date_literal(sample_start) }}
        end as first_day,
        {{ streamgauge.add_days(streamgauge.date_literal(as_of_date), -1) }} as last_day
    from items
    where flow_start_at is not null
),

days as (
    select spine.day
    from bounds
    {{ streamgauge.days_between_join('bounds.first_day', 'bounds.last_day', 'spine') }}
),

streams as (
    select distinct value_stream from items
    union all
    select 'all' as value_stream
),

completions as (
    select
        case when rollup.is_total then 'all' else items.value_stream end as value_stream,
        items.completed_date,
        count(*) as completed_items
    from items
    cross join ({{ streamgauge.stream_rollup() }}) as rollup
    where items.is_counted
    group by 1, 2
)

select
    streams.value_stream,
    days.day,
    cast(row_number() over (partition by streams.value_stream order by days.day) - 1 as integer) as sample_index,
    cast(coalesce(completions.completed_items, 0) as integer) as completed_items
from streams
cross join days
left join completions
    on completions.value_stream = streams.value_stream
    and completions.completed_date = days.day
