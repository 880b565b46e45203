{#- One row per LaunchDarkly flag: its latest landed version, flattened. jira_issue_keys are the
    keys the Jira integration stored in customProperties."jira.issues".value. -#}
with latest_flags as (
    {{ streamgauge.latest_raw_records('launchdarkly', 'launchdarkly_flags') }}
)

select
    source,
    record_id as flag_id,
    coalesce(parent_id, {{ streamgauge.regex_extract('record_id', "'^([^/]+)/'") }}) as project_key,
    coalesce({{ streamgauge.json_extract_text('payload', 'key') }},
             {{ streamgauge.regex_extract('record_id', "'/(.+)$'") }}) as flag_key,
    {{ streamgauge.json_extract_text('payload', 'name') }} as flag_name,
    {{ streamgauge.json_extract_text('payload', 'kind') }} as flag_kind,
    {{ streamgauge.json_extract_text('payload', 'description') }} as description,
    {{ streamgauge.json_extract_text_list('payload', 'tags') }} as tags,
    {{ streamgauge.json_text_list_at('payload', ['customProperties', 'jira.issues', 'value']) }} as jira_issue_keys,
    coalesce({{ streamgauge.safe_cast_boolean(streamgauge.json_extract_text('payload', 'archived')) }}, false) as is_archived,
    coalesce({{ streamgauge.safe_cast_boolean(streamgauge.json_extract_text('payload', 'temporary')) }}, false) as is_temporary,
    {{ streamgauge.epoch_ms_to_timestamp(streamgauge.safe_cast_integer(streamgauge.json_extract_text('payload', 'creationDate'))) }} as created_at,
    {{ streamgauge.safe_cast_integer(streamgauge.json_extract_text('payload', '_version')) }} as flag_version,
    {{ streamgauge.json_extract_text('payload', '_maintainer.email') }} as maintainer_email,
    fetched_at
from latest_flags
