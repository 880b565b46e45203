{{ config(store_failures=true, meta={'dagster': {'ref': {'name': 'cumulative_flow_daily'}}}) }}
{#- The Done band of the cumulative flow diagram counts items by their final completion, so it
    never decreases from one day to the next. -#}
with done as (
    select
        value_stream,
        day,
        item_count,
        lag(item_count) over (partition by value_stream order by day) as previous_item_count
    from {{ ref('cumulative_flow_daily') }}
    where band = 'Done'
)

select *
from done
where item_count < previous_item_count
