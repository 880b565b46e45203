{#- One row per flow item: int_flow_items_measured and the item's first production deployment. -#}
with items as (
    select * from {{ ref('int_flow_items_measured') }}
),

first_deployments as (
    -- the first successful production deployment that shipped a change linked to the item
    select source, issue_id, deployment_id as first_deployment_id, linked_at as first_deployed_at
    from (
        select
            source,
            issue_id,
            deployment_id,
            linked_at,
            row_number() over (partition by source, issue_id order by linked_at, deployment_id) as deployment_rank
        from {{ ref('int_flow_item_delivery_linked') }}
        where link_type = 'deployment'
    ) as ranked
    where deployment_rank = 1
)

select
    items.*,
    first_deployments.first_deployment_id,
    first_deployments.first_deployed_at,
    {{ streamgauge.hours_between('items.created_at', 'first_deployments.first_deployed_at') }} as idea_to_production_hours
from items
left join first_deployments
    on first_deployments.source = items.source
    and first_deployments.issue_id = items.issue_id
