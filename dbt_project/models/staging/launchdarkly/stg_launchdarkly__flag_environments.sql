{#- One row per flag and environment of the latest landed flag version: on/off, the default rule and
    the serving share (macro launchdarkly_serving_pct: 0 while off, else the share of the default
    rule on variations other than the off variation). Incremental: a refresh flattens only the flags
    with a newly landed version (and replaces all of a flag's environments). -#}
{{ config(materialized='incremental', unique_key=['source', 'flag_id'], incremental_strategy='delete+insert') }}
{%- set environment_fields = [
    '_environmentName',
    'on',
    'offVariation',
    'lastModified',
    'version',
] -%}

with latest_flags as (
    {{ streamgauge.latest_changed_raw_records('launchdarkly', 'launchdarkly_flags') }}
),

environments as (
    select
        latest_flags.source,
        latest_flags.record_id as flag_id,
        coalesce(latest_flags.parent_id, {{ streamgauge.regex_extract('latest_flags.record_id', "'^([^/]+)/'") }}) as project_key,
        {{ streamgauge.json_extract_text('latest_flags.payload', 'key') }} as flag_key,
        envs.entry_key as environment_key,
        envs.entry_value as config,
        latest_flags.fetched_at
    from latest_flags
    {{ streamgauge.json_object_entries_join('latest_flags.payload', ['environments'], 'envs') }}
),

parsed as (
    select environments.*, {{ streamgauge.json_extract_texts('config', environment_fields) }} as config_texts
    from environments
)

select
    source,
    flag_id,
    project_key,
    flag_key,
    environment_key,
    {{ streamgauge.json_text_in('config_texts', environment_fields, '_environmentName') }} as environment_name,
    coalesce({{ streamgauge.safe_cast_boolean(streamgauge.json_text_in('config_texts', environment_fields, 'on')) }}, false) as is_on,
    {{ streamgauge.safe_cast_integer(streamgauge.json_text_in('config_texts', environment_fields, 'offVariation'), 'integer') }} as off_variation,
    {{ streamgauge.json_extract_json('config', 'fallthrough.rollout') }} is not null as is_rollout,
    cast({{ streamgauge.launchdarkly_serving_pct('config') }} as double) as serving_pct,
    {{ streamgauge.epoch_ms_to_timestamp(streamgauge.safe_cast_integer(streamgauge.json_text_in('config_texts', environment_fields, 'lastModified'))) }} as last_modified_at,
    {{ streamgauge.safe_cast_integer(streamgauge.json_text_in('config_texts', environment_fields, 'version')) }} as environment_version,
    fetched_at
from parsed
