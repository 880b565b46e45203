{#- Flow load (WIP): one row per local day, value stream (and 'all'), flow item type and stage, on a
    gap-free spine (every day of int_reporting_days_spined × stream × type × stage, 0 when empty).
    An item is in the count of a day when, at the end of that day (just before the next local
    midnight; as_of on the partial as_of date), it had entered flow and was neither completed nor
    canceled; it is counted under its flow item type *of that moment* and the stage it was held in
    then (a status without a stage keeps the stage before it). -#}
with item_days as (
    select *
    from {{ ref('int_flow_item_days_sampled') }}
    where is_in_flow
),

days as (
    select day, measured_at, is_partial_day
    from {{ ref('int_reporting_days_spined') }}
),

counts as (
    select
        item_days.day,
        case when rollup.is_total then 'all' else item_days.value_stream end as value_stream,
        item_days.flow_item_type,
        item_days.stage,
        count(*) as wip_items,
        sum(case when item_days.history_complete then 0 else 1 end) as history_incomplete_wip_items
    from item_days
    cross join ({{ streamgauge.stream_rollup() }}) as rollup
    group by 1, 2, 3, 4
),

streams as (
    select distinct coalesce(project_key, '(none)') as value_stream from {{ ref('int_flow_items_measured') }}
    union all
    select 'all' as value_stream
),

flow_item_types as (
    select distinct flow_item_type from {{ ref('issue_type_mapping') }} where flow_item_type is not null
),

stages as (
    select stage, stage_order from {{ ref('stages') }}
)

select
    days.day,
    days.measured_at,
    days.is_partial_day,
    streams.value_stream,
    flow_item_types.flow_item_type,
    stages.stage,
    stages.stage_order,
    cast(coalesce(counts.wip_items, 0) as integer) as wip_items,
    cast(coalesce(counts.history_incomplete_wip_items, 0) as integer) as history_incomplete_wip_items
from days
cross join streams
cross join flow_item_types
cross join stages
left join counts
    on counts.day = days.day
    and counts.value_stream = streams.value_stream
    and counts.flow_item_type = flow_item_types.flow_item_type
    and counts.stage = stages.stage
