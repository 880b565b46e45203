{#- One row per PagerDuty incident: its latest landed version, flattened. resolved_at is the
    payload's resolved_at when it has one, else last_status_change_at — only when the incident's
    status is resolved. -#}
{%- set incident_fields = [
    'id',
    'incident_number',
    'title',
    'description',
    'summary',
    'body.details',
    'status',
    'urgency',
    'priority.summary',
    'service.id',
    'service.summary',
    'incident_key',
    'html_url',
    'created_at',
    'last_status_change_at',
    'resolved_at',
] -%}

with latest_incidents as (
    {{ streamgauge.latest_raw_records('pagerduty', 'pagerduty_incidents') }}
),

parsed as (
    select latest_incidents.*, {{ streamgauge.json_extract_texts('payload', incident_fields) }} as payload_texts
    from latest_incidents
),

flattened as (
    select
        source,
        coalesce({{ streamgauge.json_text_in('payload_texts', incident_fields, 'id') }}, record_id) as incident_id,
        {{ streamgauge.safe_cast_integer(streamgauge.json_text_in('payload_texts', incident_fields, 'incident_number')) }} as incident_number,
        {{ streamgauge.json_text_in('payload_texts', incident_fields, 'title') }} as title,
        {{ streamgauge.json_text_in('payload_texts', incident_fields, 'description') }} as description,
        {{ streamgauge.json_text_in('payload_texts', incident_fields, 'summary') }} as summary,
        {{ streamgauge.json_text_in('payload_texts', incident_fields, 'body.details') }} as body_details,
        lower({{ streamgauge.json_text_in('payload_texts', incident_fields, 'status') }}) as status,
        lower({{ streamgauge.json_text_in('payload_texts', incident_fields, 'urgency') }}) as urgency,
        {{ streamgauge.json_text_in('payload_texts', incident_fields, 'priority.summary') }} as priority,
        coalesce({{ streamgauge.json_text_in('payload_texts', incident_fields, 'service.id') }}, parent_id) as service_id,
        {{ streamgauge.json_text_in('payload_texts', incident_fields, 'service.summary') }} as service_name,
        {{ streamgauge.json_text_in('payload_texts', incident_fields, 'incident_key') }} as incident_key,
        {{ streamgauge.json_text_in('payload_texts', incident_fields, 'html_url') }} as html_url,
        {{ streamgauge.iso_to_utc_timestamp(streamgauge.json_text_in('payload_texts', incident_fields, 'created_at')) }} as created_at,
        {{ streamgauge.iso_to_utc_timestamp(streamgauge.json_text_in('payload_texts', incident_fields, 'last_status_change_at')) }} as last_status_change_at,
        {{ streamgauge.iso_to_utc_timestamp(streamgauge.json_text_in('payload_texts', incident_fields, 'resolved_at')) }} as payload_resolved_at,
        fetched_at
    from parsed
)

select
    source,
    incident_id,
    incident_number,
    title,
    description,
    summary,
    body_details,
    status,
    urgency,
    priority,
    service_id,
    service_name,
    incident_key,
    html_url,
    created_at,
    last_status_change_at,
    case when status = 'resolved' then coalesce(payload_resolved_at, last_status_change_at) end as resolved_at,
    status = 'resolved' as is_resolved,
    fetched_at
from flattened
