{{ config(store_failures=true, meta={'dagster': {'ref': {'name': 'int_flow_item_type_intervals_classified'}}}) }}
{#- The flow item type over time (int_flow_item_type_intervals_classified) gives, at each item's
    classification moment (flow_end_at, else as_of), exactly the type flow_items shows: daily WIP
    and velocity type an item by one rule. Lists the items where they differ. -#}
{%- set far_future = "cast('9999-12-31 00:00:00' as " ~ dbt.type_timestamp() ~ ")" %}
{%- set far_past = "cast('0001-01-01 00:00:00' as " ~ dbt.type_timestamp() ~ ")" %}
with items as (
    select flow_item_id, issue_key, flow_item_type, coalesce(flow_end_at, as_of) as classified_at
    from {{ ref('flow_items') }}
),

typed as (
    select
        items.*,
        intervals.flow_item_type as interval_flow_item_type,
        count(intervals.flow_item_id) over (partition by items.flow_item_id) as matching_intervals
    from items
    left join {{ ref('int_flow_item_type_intervals_classified') }} as intervals
        on intervals.flow_item_id = items.flow_item_id
        and coalesce(intervals.valid_from, {{ far_past }}) <= items.classified_at
        and items.classified_at < coalesce(intervals.valid_to, {{ far_future }})
)

select *
from typed
where matching_intervals <> 1
    or coalesce(interval_flow_item_type, '') <> coalesce(flow_item_type, '')
