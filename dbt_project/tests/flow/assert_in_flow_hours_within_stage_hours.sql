{{ config(store_failures=true, meta={'dagster': {'ref': {'name': 'stage_intervals'}}}) }}
{#- The in-flow part of a stage visit never exceeds the visit's hours — except for items with a
    negative interval (clock skew), whose flow may start before their creation. -#}
select stage_intervals.*
from {{ ref('stage_intervals') }} as stage_intervals
inner join {{ ref('flow_items') }} as flow_items
    on flow_items.flow_item_id = stage_intervals.flow_item_id
where flow_items.negative_interval_count = 0
    and stage_intervals.in_flow_hours > stage_intervals.duration_hours + 0.001 / 3600
