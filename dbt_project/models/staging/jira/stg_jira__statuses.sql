{#- One row per Jira status (latest landed version). Names change; ids do not. -#}
{%- set status_fields = [
    'id',
    'name',
    'untranslatedName',
    'statusCategory.key',
    'scope.type',
    'scope.project.id',
] -%}

with latest_statuses as (
    {{ streamgauge.latest_raw_records('jira', 'jira_statuses') }}
),

parsed as (
    select latest_statuses.*, {{ streamgauge.json_extract_texts('payload', status_fields) }} as payload_texts
    from latest_statuses
)

select
    source,
    coalesce({{ streamgauge.json_text_in('payload_texts', status_fields, 'id') }}, record_id) as status_id,
    {{ streamgauge.json_text_in('payload_texts', status_fields, 'name') }} as status_name,
    {{ streamgauge.json_text_in('payload_texts', status_fields, 'untranslatedName') }} as status_untranslated_name,
    {{ streamgauge.json_text_in('payload_texts', status_fields, 'statusCategory.key') }} as status_category_key,
    {{ streamgauge.json_text_in('payload_texts', status_fields, 'scope.type') }} as scope_type,
    {{ streamgauge.json_text_in('payload_texts', status_fields, 'scope.project.id') }} as scope_project_id,
    fetched_at
from parsed
