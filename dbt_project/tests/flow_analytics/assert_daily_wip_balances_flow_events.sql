{{ config(store_failures=true, meta={'dagster': {'ref': {'name': 'flow_load_daily'}}}) }}
{#- Daily WIP changes exactly by the day's flow starts minus the day's completions and
    cancellations of items that had entered flow (by local date, per value stream): the daily
    sampling and the items' spans tell the same story. Full days only (the partial as_of date is
    read at as_of). -#}
{%- set tz = var('reporting_timezone', 'UTC') %}
with wip as (
    select value_stream, day, sum(wip_items) as wip_items
    from {{ ref('flow_load_daily') }}
    where not is_partial_day and value_stream <> 'all'
    group by value_stream, day
),

changes as (
    select
        value_stream,
        day,
        wip_items - lag(wip_items) over (partition by value_stream order by day) as wip_change,
        row_number() over (partition by value_stream order by day) as day_number
    from wip
),

items as (
    select
        coalesce(project_key, '(none)') as value_stream,
        -- an item exists from its creation (a change stamped before it is clock skew)
        {{ streamgauge.utc_to_local_date('case when flow_start_at > created_at then flow_start_at else created_at end', tz) }} as start_date,
        {{ streamgauge.utc_to_local_date('coalesce(flow_end_at, canceled_at)', tz) }} as end_date
    from {{ ref('flow_items') }}
    where flow_start_at is not null
),

events as (
    select value_stream, start_date as day, 1 as delta from items
    union all
    select value_stream, end_date as day, -1 as delta from items where end_date is not null
),

expected as (
    select value_stream, day, sum(delta) as expected_change
    from events
    group by value_stream, day
)

select changes.*, coalesce(expected.expected_change, 0) as expected_change
from changes
left join expected
    on expected.value_stream = changes.value_stream
    and expected.day = changes.day
where changes.day_number > 1
    and changes.wip_change <> coalesce(expected.expected_change, 0)
