{#- One row per PagerDuty incident: its latest landed version, flattened. resolved_at is the
    payload's resolved_at when it has one, else last_status_change_at — only when the incident's
    status is resolved. -#}
with latest_incidents as (
    {{ streamgauge.latest_raw_records('pagerduty', 'pagerduty_incidents') }}
),

flattened as (
    select
        source,
        coalesce({{ streamgauge.json_extract_text('payload', 'id') }}, record_id) as incident_id,
        {{ streamgauge.safe_cast_integer(streamgauge.json_extract_text('payload', 'incident_number')) }} as incident_number,
        {{ streamgauge.json_extract_text('payload', 'title') }} as title,
        {{ streamgauge.json_extract_text('payload', 'description') }} as description,
        {{ streamgauge.json_extract_text('payload', 'summary') }} as summary,
        {{ streamgauge.json_extract_text('payload', 'body.details') }} as body_details,
        lower({{ streamgauge.json_extract_text('payload', 'status') }}) as status,
        lower({{ streamgauge.json_extract_text('payload', 'urgency') }}) as urgency,
        {{ streamgauge.json_extract_text('payload', 'priority.summary') }} as priority,
        coalesce({{ streamgauge.json_extract_text('payload', 'service.id') }}, parent_id) as service_id,
        {{ streamgauge.json_extract_text('payload', 'service.summary') }} as service_name,
        {{ streamgauge.json_extract_text('payload', 'incident_key') }} as incident_key,
        {{ streamgauge.json_extract_text('payload', 'html_url') }} as html_url,
        {{ streamgauge.iso_to_utc_timestamp(streamgauge.json_extract_text('payload', 'created_at')) }} as created_at,
        {{ streamgauge.iso_to_utc_timestamp(streamgauge.json_extract_text('payload', 'last_status_change_at')) }} as last_status_change_at,
        {{ streamgauge.iso_to_utc_timestamp(streamgauge.json_extract_text('payload', 'resolved_at')) }} as payload_resolved_at,
        fetched_at
    from latest_incidents
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
