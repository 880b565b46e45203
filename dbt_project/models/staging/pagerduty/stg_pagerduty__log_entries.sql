{#- One row per incident log entry (latest landed version): trigger, acknowledge, annotate (a
    note), resolve … `note_text` gathers whatever text a note carries (channel summary or details,
    note content) so models can search it. -#}
with latest_entries as (
    {{ streamgauge.latest_raw_records('pagerduty', 'pagerduty_log_entries') }}
),

flattened as (
    select
        source,
        coalesce({{ streamgauge.json_extract_text('payload', 'id') }}, record_id) as log_entry_id,
        coalesce({{ streamgauge.json_extract_text('payload', 'incident.id') }}, parent_id) as incident_id,
        lower({{ streamgauge.json_extract_text('payload', 'type') }}) as entry_type,
        {{ streamgauge.json_extract_text('payload', 'summary') }} as summary,
        lower({{ streamgauge.json_extract_text('payload', 'channel.type') }}) as channel_type,
        {{ streamgauge.json_extract_text('payload', 'channel.summary') }} as channel_summary,
        {{ streamgauge.json_extract_text('payload', 'channel.details') }} as channel_details,
        {{ streamgauge.json_extract_text('payload', 'channel.content') }} as channel_content,
        {{ streamgauge.json_extract_text('payload', 'note.content') }} as note_content,
        {{ streamgauge.json_extract_text('payload', 'content') }} as content,
        {{ streamgauge.json_extract_text('payload', 'agent.id') }} as agent_id,
        {{ streamgauge.json_extract_text('payload', 'agent.type') }} as agent_type,
        {{ streamgauge.json_extract_text('payload', 'agent.summary') }} as agent_name,
        {{ streamgauge.iso_to_utc_timestamp(streamgauge.json_extract_text('payload', 'created_at')) }} as created_at,
        fetched_at
    from latest_entries
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
