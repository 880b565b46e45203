{#- One row per LaunchDarkly flag: its latest landed version, flattened. jira_issue_keys are the
    keys the Jira integration stored in customProperties."jira.issues".value. -#}
{%- set flag_fields = [
    'key',
    'name',
    'kind',
    'description',
    'archived',
    'temporary',
    'creationDate',
    '_version',
    '_maintainer.email',
] -%}

with latest_flags as (
    {{ streamgauge.latest_raw_records('launchdarkly', 'launchdarkly_flags') }}
),

parsed as (
    select latest_flags.*, {{ streamgauge.json_extract_texts('payload', flag_fields) }} as payload_texts
    from latest_flags
)

select
    source,
    record_id as flag_id,
    coalesce(parent_id, {{ streamgauge.regex_extract('record_id', "'^([^/]+)/'") }}) as project_key,
    coalesce({{ streamgauge.json_text_in('payload_texts', flag_fields, 'key') }},
             {{ streamgauge.regex_extract('record_id', "'/(.+)$'") }}) as flag_key,
    {{ streamgauge.json_text_in('payload_texts', flag_fields, 'name') }} as flag_name,
    {{ streamgauge.json_text_in('payload_texts', flag_fields, 'kind') }} as flag_kind,
    {{ streamgauge.json_text_in('payload_texts', flag_fields, 'description') }} as description,
    {{ streamgauge.json_extract_text_list('payload', 'tags') }} as tags,
    {{ streamgauge.json_text_list_at('payload', ['customProperties', 'jira.issues', 'value']) }} as jira_issue_keys,
    coalesce({{ streamgauge.safe_cast_boolean(streamgauge.json_text_in('payload_texts', flag_fields, 'archived')) }}, false) as is_archived,
    coalesce({{ streamgauge.safe_cast_boolean(streamgauge.json_text_in('payload_texts', flag_fields, 'temporary')) }}, false) as is_temporary,
    {{ streamgauge.epoch_ms_to_timestamp(streamgauge.safe_cast_integer(streamgauge.json_text_in('payload_texts', flag_fields, 'creationDate'))) }} as created_at,
    {{ streamgauge.safe_cast_integer(streamgauge.json_text_in('payload_texts', flag_fields, '_version')) }} as flag_version,
    {{ streamgauge.json_text_in('payload_texts', flag_fields, '_maintainer.email') }} as maintainer_email,
    fetched_at
from parsed
