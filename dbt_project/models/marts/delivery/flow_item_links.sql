{#- Flow items ↔ the pull requests, commits and production deployments that name or ship them
    (see int_flow_item_delivery_linked). -#}
select * from {{ ref('int_flow_item_delivery_linked') }}
