{#- One row per audit-log entry and environment whose state the entry records: the environment it
    changed (or every environment of the flag for an entry about the whole flag, such as its
    creation), as the entry's currentVersion shows it after the change. Incremental: a refresh reads
    only the entries with a newly landed version. -#}
{{ config(materialized='incremental', unique_key=['source', 'entry_id'], incremental_strategy='delete+insert') }}
with entries as (
    {{ streamgauge.latest_changed_raw_records('launchdarkly', 'launchdarkly_audit_log') }}
),

headers as (
    select * from {{ ref('stg_launchdarkly__audit_log_entries') }}
    where has_snapshot
),

snapshots as (
    select
        headers.source,
        headers.entry_id,
        headers.flag_id,
        headers.project_key,
        headers.flag_key,
        headers.environment_key as entry_environment_key,
        headers.changed_at,
        envs.entry_key as environment_key,
        envs.entry_value as config,
        entries.fetched_at
    from headers
    inner join entries
        on entries.source = headers.source
        and entries.record_id = headers.entry_id
    {{ streamgauge.json_object_entries_join('entries.payload', ['currentVersion', 'environments'], 'envs') }}
    where headers.environment_key = '*' or envs.entry_key = headers.environment_key
)

select
    source,
    entry_id,
    flag_id,
    project_key,
    flag_key,
    environment_key,
    entry_environment_key,
    changed_at,
    coalesce({{ streamgauge.safe_cast_boolean(streamgauge.json_extract_text('config', 'on')) }}, false) as is_on,
    cast({{ streamgauge.launchdarkly_serving_pct('config') }} as double) as serving_pct,
    fetched_at
from snapshots
