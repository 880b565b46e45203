{#- One row per Jira status (latest landed version). Names change; ids do not. -#}
with latest_statuses as (
    {{ streamgauge.latest_raw_records('jira', 'jira_statuses') }}
)

select
    source,
    coalesce({{ streamgauge.json_extract_text('payload', 'id') }}, record_id) as status_id,
    {{ streamgauge.json_extract_text('payload', 'name') }} as status_name,
    {{ streamgauge.json_extract_text('payload', 'untranslatedName') }} as status_untranslated_name,
    {{ streamgauge.json_extract_text('payload', 'statusCategory.key') }} as status_category_key,
    {{ streamgauge.json_extract_text('payload', 'scope.type') }} as scope_type,
    {{ streamgauge.json_extract_text('payload', 'scope.project.id') }} as scope_project_id,
    fetched_at
from latest_statuses
