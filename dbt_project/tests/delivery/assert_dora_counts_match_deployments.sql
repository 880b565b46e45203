{{ config(store_failures=true, meta={'dagster': {'ref': {'name': 'dora_metrics'}}}) }}
{#- dora_metrics counts every successful production deployment in the period of its finish, once:
    per service, the weekly counts add up to the deployments mart's. Returns the services that differ. -#}
with marts as (
    select service, count(*) as deployments
    from {{ ref('deployments') }}
    where is_dora_deployment
        and finished_at <= {{ streamgauge.as_of() }}
    group by service
),

weekly as (
    select service, sum(deployment_count) as deployments
    from {{ ref('dora_metrics') }}
    where period_grain = 'week' and service <> '*'
    group by service
)

select coalesce(marts.service, weekly.service) as service, marts.deployments, weekly.deployments as weekly_deployments
from marts
full outer join weekly
    on weekly.service = marts.service
where coalesce(marts.deployments, 0) <> coalesce(weekly.deployments, 0)
