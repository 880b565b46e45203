{#- One row per Jira issue type (latest landed version). -#}
with latest_issue_types as (
    {{ streamgauge.latest_raw_records('jira', 'jira_issue_types') }}
)

select
    source,
    coalesce({{ streamgauge.json_extract_text('payload', 'id') }}, record_id) as issue_type_id,
    {{ streamgauge.json_extract_text('payload', 'name') }} as issue_type_name,
    {{ streamgauge.json_extract_text('payload', 'untranslatedName') }} as issue_type_untranslated_name,
    {{ streamgauge.safe_cast_boolean(streamgauge.json_extract_text('payload', 'subtask')) }} as is_subtask,
    {{ streamgauge.safe_cast_integer(streamgauge.json_extract_text('payload', 'hierarchyLevel'), 'integer') }} as jira_hierarchy_level,
    {{ streamgauge.json_extract_text('payload', 'scope.project.id') }} as scope_project_id,
    fetched_at
from latest_issue_types
