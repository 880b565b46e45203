{#- One row per incident log entry (latest landed version): trigger, acknowledge, annotate (a
    note), resolve … `note_text` gathers whatever text a note carries (channel summary or details,
    note content) so models can search it. -#}
{%- set log_entry_fields = [
    'id',
    'incident.id',
    'type',
    'summary',
    'channel.type',
    'channel.summary',
    'channel.details',
    'channel.content',
    'note.content',
    'content',
    'agent.id',
    'agent.type',
    'agent.summary',
    'created_at',
] -%}

with latest_entries as (
    {{ streamgauge.latest_raw_records('pagerduty', 'pagerduty_log_entries') }}
),

parsed as (
    select latest_entries.*, {{ streamgauge.json_extract_texts('payload', log_entry_fields) }} as payload_texts
    from latest_entries
),

flattened as (
    select
        source,
        coalesce({{ streamgauge.json_text_in('payload_texts', log_entry_fields, 'id') }}, record_id) as log_entry_id,
        coalesce({{ streamgauge.json_text_in('payload_texts', log_entry_fields, 'incident.id') }}, parent_id) as incident_id,
        lower({{ streamgauge.json_text_in('payload_texts', log_entry_fields, 'type') }}) as entry_type,
        {{ streamgauge.json_text_in('payload_texts', log_entry_fields, 'summary') }} as summary,
        lower({{ streamgauge.json_text_in('payload_texts', log_entry_fields, 'channel.type') }}) as channel_type,
        {{ streamgauge.json_text_in('payload_texts', log_entry_fields, 'channel.summary') }} as channel_summary,
        {{ streamgauge.json_text_in('payload_texts', log_entry_fields, 'channel.details') }} as channel_details,
        {{ streamgauge.json_text_in('payload_texts', log_entry_fields, 'channel.content') }} as channel_content,
        {{ streamgauge.json_text_in('payload_texts', log_entry_fields, 'note.content') }} as note_content,
        {{ streamgauge.json_text_in('payload_texts', log_entry_fields, 'content') }} as content,
        {{ streamgauge.json_text_in('payload_texts', log_entry_fields, 'agent.id') }} as agent_id,
        {{ streamgauge.json_text_in('payload_texts', log_entry_fields, 'agent.type') }} as agent_type,
        {{ streamgauge.json_text_in('payload_texts', log_entry_fields, 'agent.summary') }} as agent_name,
        {{ streamgauge.iso_to_utc_timestamp(streamgauge.json_text_in('payload_texts', log_entry_fields, 'created_at')) }} as created_at,
        fetched_at
    from parsed
)

select
    source,
    log_entry_id,
    incident_id,
    entry_type,
    replace(entry_type, '_log_entry', '') as entry_kind,
    summary,
    channel_type,
    nullif(concat_ws(' ', channel_summary, channel_details, channel_content, note_content, content), '') as note_text,
    agent_id,
    agent_type,
    agent_name,
    created_at,
    fetched_at
from flattened
