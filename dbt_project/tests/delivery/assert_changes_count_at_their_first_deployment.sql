{{ config(store_failures=true, meta={'dagster': {'ref': {'name': 'change_lead_times'}}}) }}
{#- A change counts at the production deployment that first shipped any of its commits: no
    change set of an earlier deployment holds one of them. Returns the offending changes. -#}
with shipped as (
    select
        changes.change_id,
        min(deployments.finished_at) as first_finished_at
    from {{ ref('deployment_changes') }} as changes
    inner join {{ ref('deployments') }} as deployments
        on deployments.deployment_id = changes.deployment_id
    group by changes.change_id
)

select lead_times.change_id, lead_times.deployed_at, shipped.first_finished_at
from {{ ref('change_lead_times') }} as lead_times
inner join shipped
    on shipped.change_id = lead_times.change_id
where shipped.first_finished_at <> lead_times.deployed_at
