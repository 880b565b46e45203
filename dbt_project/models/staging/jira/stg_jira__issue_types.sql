{#- One row per Jira issue type (latest landed version). -#}
{%- set issue_type_fields = [
    'id',
    'name',
    'untranslatedName',
    'subtask',
    'hierarchyLevel',
    'scope.project.id',
] -%}

with latest_issue_types as (
    {{ streamgauge.latest_raw_records('jira', 'jira_issue_types') }}
),

parsed as (
    select latest_issue_types.*, {{ streamgauge.json_extract_texts('payload', issue_type_fields) }} as payload_texts
    from latest_issue_types
)

select
    source,
    coalesce({{ streamgauge.json_text_in('payload_texts', issue_type_fields, 'id') }}, record_id) as issue_type_id,
    {{ streamgauge.json_text_in('payload_texts', issue_type_fields, 'name') }} as issue_type_name,
    {{ streamgauge.json_text_in('payload_texts', issue_type_fields, 'untranslatedName') }} as issue_type_untranslated_name,
    {{ streamgauge.safe_cast_boolean(streamgauge.json_text_in('payload_texts', issue_type_fields, 'subtask')) }} as is_subtask,
    {{ streamgauge.safe_cast_integer(streamgauge.json_text_in('payload_texts', issue_type_fields, 'hierarchyLevel'), 'integer') }} as jira_hierarchy_level,
    {{ streamgauge.json_text_in('payload_texts', issue_type_fields, 'scope.project.id') }} as scope_project_id,
    fetched_at
from parsed
