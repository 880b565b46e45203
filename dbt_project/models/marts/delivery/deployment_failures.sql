{#- One row per failure link: a successful production deployment that failed, the incident it
    caused (NULL for a link that only a revert or rollback shows) and how the link was made
    (attribution_method; see int_deployment_failures_attributed). Recovery is measured for
    incident links: deployment finished → incident resolved (recovery_hours), and incident start →
    resolved (recovery_from_incident_start_hours). -#}
with links as (
    select * from {{ ref('int_deployment_failures_attributed') }}
),

deployments as (
    select * from {{ ref('int_deployments_sequenced') }}
),

incidents as (
    select * from {{ ref('int_incidents_mapped') }}
)

select
    links.failure_link_id,
    links.deployment_id,
    deployments.service,
    deployments.repository,
    deployments.environment,
    deployments.sha,
    deployments.finished_at as deployment_finished_at,
    links.incident_source,
    links.incident_id,
    incidents.incident_number,
    incidents.title as incident_title,
    incidents.created_at as incident_created_at,
    incidents.resolved_at as incident_resolved_at,
    links.attribution_method,
    links.method_precedence,
    links.evidence,
    links.remediation_deployment_id,
    links.incident_id is not null as is_incident_link,
    incidents.resolved_at as restored_at,
    {{ streamgauge.hours_between('deployments.finished_at', 'incidents.resolved_at') }} as recovery_hours,
    {{ streamgauge.hours_between('incidents.created_at', 'incidents.resolved_at') }} as recovery_from_incident_start_hours,
    {{ streamgauge.utc_to_local_date('incidents.resolved_at', var('reporting_timezone', 'UTC')) }} as restored_date
from links
inner join deployments
    on deployments.deployment_id = links.deployment_id
left join incidents
    on incidents.source = links.incident_source
    and incidents.incident_id = links.incident_id
