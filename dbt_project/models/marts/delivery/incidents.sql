{#- One row per PagerDuty incident with its service and the deployments it was attributed to. -#}
with incidents as (
    select * from {{ ref('int_incidents_mapped') }}
),

links as (
    select
        incident_source,
        incident_id,
        count(distinct deployment_id) as caused_by_deployment_count,
        min(attribution_method) as attribution_method,
        min(deployment_id) as first_caused_by_deployment_id
    from {{ ref('int_deployment_failures_attributed') }}
    where incident_id is not null
    group by incident_source, incident_id
)

select
    incidents.source,
    incidents.incident_id,
    incidents.incident_number,
    incidents.title,
    incidents.status,
    incidents.urgency,
    incidents.priority,
    incidents.service_id,
    incidents.service_name,
    incidents.service,
    incidents.is_service_mapped,
    incidents.created_at,
    incidents.acknowledged_at,
    incidents.resolved_at,
    incidents.is_resolved,
    {{ streamgauge.hours_between('incidents.created_at', 'incidents.acknowledged_at') }} as time_to_acknowledge_hours,
    {{ streamgauge.hours_between('incidents.created_at', 'incidents.resolved_at') }} as time_to_resolve_hours,
    {{ streamgauge.utc_to_local_date('incidents.created_at', var('reporting_timezone', 'UTC')) }} as created_date,
    cast(coalesce(links.caused_by_deployment_count, 0) as integer) as caused_by_deployment_count,
    links.caused_by_deployment_count is not null as is_attributed,
    links.attribution_method,
    incidents.log_entry_count,
    incidents.html_url
from incidents
left join links
    on links.incident_source = incidents.source
    and links.incident_id = incidents.incident_id
