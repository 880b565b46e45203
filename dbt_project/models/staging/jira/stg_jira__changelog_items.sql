{#- One row per item of a Jira change history (latest landed version of each history).
    Incremental: a refresh flattens only the records with a newly landed version. -#}
{{ config(materialized='incremental', unique_key=['source', 'history_id'], incremental_strategy='delete+insert') }}
{%- set history_fields = [
    'id',
    'created',
    'author.accountId',
    'author.displayName',
    'author.accountType',
] -%}
{%- set item_fields = [
    'field',
    'fieldId',
    'fieldtype',
    'from',
    'fromString',
    'to',
    'toString',
] -%}

with latest_histories as (
    {{ streamgauge.latest_changed_raw_records('jira', 'jira_changelogs') }}
),

parsed_histories as (
    select latest_histories.*, {{ streamgauge.json_extract_texts('payload', history_fields) }} as payload_texts
    from latest_histories
),

histories as (
    select
        source,
        parent_id as issue_id,
        coalesce({{ streamgauge.json_text_in('payload_texts', history_fields, 'id') }}, record_id) as history_id,
        {{ streamgauge.iso_to_utc_timestamp(streamgauge.json_text_in('payload_texts', history_fields, 'created')) }} as changed_at,
        {{ streamgauge.json_text_in('payload_texts', history_fields, 'author.accountId') }} as author_account_id,
        {{ streamgauge.json_text_in('payload_texts', history_fields, 'author.displayName') }} as author_display_name,
        {{ streamgauge.json_text_in('payload_texts', history_fields, 'author.accountType') }} as author_account_type,
        payload,
        fetched_at
    from parsed_histories
),

parsed_items as (
    select
        histories.source,
        histories.issue_id,
        histories.history_id,
        histories.changed_at,
        histories.author_account_id,
        histories.author_display_name,
        histories.author_account_type,
        histories.fetched_at,
        items.ordinal as item_index,
        {{ streamgauge.json_extract_texts('items.element', item_fields) }} as item_texts
    from histories
    {{ streamgauge.json_array_elements_join('histories.payload', 'items', 'items') }}
)

select
    source,
    issue_id,
    history_id,
    {{ streamgauge.safe_cast_integer('history_id', 'bigint') }} as history_id_number,
    item_index,
    changed_at,
    -- an empty accountId (anonymised or deleted users) is no id
    nullif(author_account_id, '') as author_account_id,
    author_display_name,
    author_account_type,
    {{ streamgauge.json_text_in('item_texts', item_fields, 'field') }} as field,
    {{ streamgauge.json_text_in('item_texts', item_fields, 'fieldId') }} as field_id,
    {{ streamgauge.json_text_in('item_texts', item_fields, 'fieldtype') }} as field_type,
    {{ streamgauge.json_text_in('item_texts', item_fields, 'from') }} as from_value,
    {{ streamgauge.json_text_in('item_texts', item_fields, 'fromString') }} as from_string,
    {{ streamgauge.json_text_in('item_texts', item_fields, 'to') }} as to_value,
    {{ streamgauge.json_text_in('item_texts', item_fields, 'toString') }} as to_string,
    fetched_at
from parsed_items
