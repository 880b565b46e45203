{#- One row per PagerDuty incident with its service (the services row of its PagerDuty service id,
    and of its source when the row names one; an unmapped PagerDuty service is its own service,
    `pagerduty:<service id>`), its acknowledgement from the log, and the text that names causes:
    title, description, summary and body details, and every note (annotate log entry). -#}
with incidents as (
    select * from {{ ref('stg_pagerduty__incidents') }}
),

log_entries as (
    select * from {{ ref('stg_pagerduty__log_entries') }}
),

services as (
    select
        service,
        pagerduty_service_id,
        nullif(nullif(pagerduty_source, ''), '*') as pagerduty_source
    from {{ ref('services') }}
    where pagerduty_service_id is not null
),

service_matches as (
    select
        incidents.source,
        incidents.incident_id,
        services.service,
        row_number() over (
            partition by incidents.source, incidents.incident_id
            order by case when services.pagerduty_source is null then 1 else 0 end, services.service
        ) as preference
    from incidents
    inner join services
        on services.pagerduty_service_id = incidents.service_id
        and (services.pagerduty_source is null or services.pagerduty_source = incidents.source)
),

log_facts as (
    select
        source,
        incident_id,
        min(case when entry_kind = 'acknowledge' then created_at end) as acknowledged_at,
        max(case when entry_kind = 'resolve' then created_at end) as resolve_logged_at,
        count(*) as log_entry_count
    from log_entries
    group by source, incident_id
),

note_facts as (
    select
        source,
        incident_id,
        {{ dbt.listagg("coalesce(note_text, summary, '')", "' ' || chr(10)", "order by created_at, log_entry_id") }} as notes_text
    from log_entries
    where entry_kind = 'annotate'
    group by source, incident_id
)

select
    incidents.source,
    incidents.incident_id,
    incidents.incident_number,
    incidents.title,
    incidents.description,
    incidents.status,
    incidents.urgency,
    incidents.priority,
    incidents.service_id,
    incidents.service_name,
    coalesce(service_matches.service, 'pagerduty:' || incidents.service_id) as service,
    service_matches.service is not null as is_service_mapped,
    incidents.created_at,
    log_facts.acknowledged_at,
    coalesce(incidents.resolved_at,
             case when incidents.status = 'resolved' then log_facts.resolve_logged_at end) as resolved_at,
    incidents.is_resolved,
    concat_ws(' ' || chr(10), incidents.title, incidents.description, incidents.summary,
              incidents.body_details, note_facts.notes_text) as cause_text,
    cast(coalesce(log_facts.log_entry_count, 0) as integer) as log_entry_count,
    incidents.html_url
from incidents
left join service_matches
    on service_matches.source = incidents.source
    and service_matches.incident_id = incidents.incident_id
    and service_matches.preference = 1
left join log_facts
    on log_facts.source = incidents.source
    and log_facts.incident_id = incidents.incident_id
left join note_facts
    on note_facts.source = incidents.source
    and note_facts.incident_id = incidents.incident_id
