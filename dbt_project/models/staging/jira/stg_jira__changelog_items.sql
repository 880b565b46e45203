{#- One row per item of a Jira change history (latest landed version of each history). -#}
with latest_histories as (
    {{ streamgauge.latest_raw_records('jira', 'jira_changelogs') }}
),

histories as (
    select
        source,
        parent_id as issue_id,
        coalesce({{ streamgauge.json_extract_text('payload', 'id') }}, record_id) as history_id,
        {{ streamgauge.iso_to_utc_timestamp(streamgauge.json_extract_text('payload', 'created')) }} as changed_at,
        {{ streamgauge.json_extract_text('payload', 'author.accountId') }} as author_account_id,
        {{ streamgauge.json_extract_text('payload', 'author.displayName') }} as author_display_name,
        {{ streamgauge.json_extract_text('payload', 'author.accountType') }} as author_account_type,
        payload
    from latest_histories
)

select
    histories.source,
    histories.issue_id,
    histories.history_id,
    {{ streamgauge.safe_cast_integer('histories.history_id', 'bigint') }} as history_id_number,
    items.ordinal as item_index,
    histories.changed_at,
    -- an empty accountId (anonymised or deleted users) is no id
    nullif(histories.author_account_id, '') as author_account_id,
    histories.author_display_name,
    histories.author_account_type,
    {{ streamgauge.json_extract_text('items.element', 'field') }} as field,
    {{ streamgauge.json_extract_text('items.element', 'fieldId') }} as field_id,
    {{ streamgauge.json_extract_text('items.element', 'fieldtype') }} as field_type,
    {{ streamgauge.json_extract_text('items.element', 'from') }} as from_value,
    {{ streamgauge.json_extract_text('items.element', 'fromString') }} as from_string,
    {{ streamgauge.json_extract_text('items.element', 'to') }} as to_value,
    {{ streamgauge.json_extract_text('items.element', 'toString') }} as to_string
from histories
{{ streamgauge.json_array_elements_join('histories.payload', 'items', 'items') }}
