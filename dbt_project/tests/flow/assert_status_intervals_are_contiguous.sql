{{ config(store_failures=true, meta={'dagster': {'ref': {'name': 'status_intervals'}}}) }}
{#- Every status interval of a flow item ends exactly where the next one begins, the numbering has
    no holes, the first starts at the item's creation and only the last is open. -#}
with intervals as (
    select
        status_intervals.*,
        lead(entered_at) over (partition by flow_item_id order by interval_number) as next_entered_at,
        lead(interval_number) over (partition by flow_item_id order by interval_number) as next_interval_number
    from {{ ref('status_intervals') }} as status_intervals
)

select intervals.*, flow_items.created_at
from intervals
inner join {{ ref('flow_items') }} as flow_items
    on flow_items.flow_item_id = intervals.flow_item_id
where (intervals.next_interval_number is not null and intervals.next_interval_number <> intervals.interval_number + 1)
    or (intervals.next_entered_at is not null and (intervals.exited_at is null or intervals.exited_at <> intervals.next_entered_at))
    or (intervals.next_entered_at is null and intervals.exited_at is not null)
    or (intervals.interval_number = 1 and intervals.entered_at <> flow_items.created_at)
