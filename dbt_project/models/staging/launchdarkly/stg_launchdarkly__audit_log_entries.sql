{#- One row per LaunchDarkly audit-log entry about a flag. The flag and environment come from the
    entry's resource (`proj/<project>:env/<environment>:flag/<flag>`); environment `*` marks a change
    to the whole flag (its creation). has_snapshot: the entry carries currentVersion (read in full).
    Incremental: a refresh flattens only the records with a newly landed version. -#}
{{ config(materialized='incremental', unique_key=['source', 'entry_id'], incremental_strategy='delete+insert') }}
{%- set entry_fields = [
    'date',
    'kind',
    'titleVerb',
    'description',
    'member.email',
] -%}

with entries as (
    {{ streamgauge.latest_changed_raw_records('launchdarkly', 'launchdarkly_audit_log') }}
),

parsed as (
    select entries.*, {{ streamgauge.json_extract_texts('payload', entry_fields) }} as payload_texts
    from entries
),

flattened as (
    select
        source,
        record_id as entry_id,
        parent_id as flag_id,
        coalesce(
            ({{ streamgauge.json_extract_text_list('payload', 'target.resources') }})[1],
            ({{ streamgauge.json_extract_text_list_of('payload', 'accesses', 'resource') }})[1]
        ) as resource,
        {{ streamgauge.epoch_ms_to_timestamp(streamgauge.safe_cast_integer(streamgauge.json_text_in('payload_texts', entry_fields, 'date'))) }} as changed_at,
        {{ streamgauge.json_text_in('payload_texts', entry_fields, 'kind') }} as entry_kind,
        {{ streamgauge.json_text_in('payload_texts', entry_fields, 'titleVerb') }} as title_verb,
        {{ streamgauge.json_text_in('payload_texts', entry_fields, 'description') }} as description,
        {{ streamgauge.json_text_in('payload_texts', entry_fields, 'member.email') }} as member_email,
        {{ streamgauge.json_extract_text_list_of('payload', 'accesses', 'action') }} as actions,
        {{ streamgauge.json_extract_json('payload', 'currentVersion') }} is not null as has_snapshot,
        fetched_at
    from parsed
)

select
    source,
    entry_id,
    coalesce(flag_id, {{ streamgauge.regex_extract('resource', "'proj/([^:;]+)'") }} || '/'
             || {{ streamgauge.regex_extract('resource', "'flag/([^:;]+)'") }}) as flag_id,
    {{ streamgauge.regex_extract('resource', "'proj/([^:;]+)'") }} as project_key,
    {{ streamgauge.regex_extract('resource', "'flag/([^:;]+)'") }} as flag_key,
    coalesce({{ streamgauge.regex_extract('resource', "'env/([^:;]+)'") }}, '*') as environment_key,
    resource,
    changed_at,
    entry_kind,
    title_verb,
    description,
    member_email,
    actions,
    has_snapshot,
    fetched_at
from flattened
