{#- One row per Jira issue: its latest landed version, flattened. Inline `changelog.histories` in
    the payload are ignored here (histories land in raw.jira_changelogs). -#}
{%- set issue_fields = [
    'id',
    'key',
    'fields.project.id',
    'fields.project.key',
    'fields.project.name',
    'fields.summary',
    'fields.status.id',
    'fields.status.name',
    'fields.status.statusCategory.key',
    'fields.issuetype.id',
    'fields.issuetype.name',
    'fields.issuetype.subtask',
    'fields.issuetype.hierarchyLevel',
    'fields.parent.id',
    'fields.parent.key',
    'fields.created',
    'fields.updated',
    'fields.resolutiondate',
] -%}

with latest_issues as (
    {{ streamgauge.latest_raw_records('jira', 'jira_issues') }}
),

latest_tombstones as (
    {{ streamgauge.latest_raw_records('jira', 'jira_tombstones') }}
),

parsed as (
    select latest_issues.*, {{ streamgauge.json_extract_texts('payload', issue_fields) }} as payload_texts
    from latest_issues
),

flattened as (
    select
        source,
        coalesce({{ streamgauge.json_text_in('payload_texts', issue_fields, 'id') }}, record_id) as issue_id,
        {{ streamgauge.json_text_in('payload_texts', issue_fields, 'key') }} as issue_key,
        {{ streamgauge.json_text_in('payload_texts', issue_fields, 'fields.project.id') }} as project_id,
        {{ streamgauge.json_text_in('payload_texts', issue_fields, 'fields.project.key') }} as project_key,
        {{ streamgauge.json_text_in('payload_texts', issue_fields, 'fields.project.name') }} as project_name,
        {{ streamgauge.json_text_in('payload_texts', issue_fields, 'fields.summary') }} as summary,
        {{ streamgauge.json_text_in('payload_texts', issue_fields, 'fields.status.id') }} as status_id,
        {{ streamgauge.json_text_in('payload_texts', issue_fields, 'fields.status.name') }} as status_name,
        {{ streamgauge.json_text_in('payload_texts', issue_fields, 'fields.status.statusCategory.key') }} as status_category_key,
        {{ streamgauge.json_text_in('payload_texts', issue_fields, 'fields.issuetype.id') }} as issue_type_id,
        {{ streamgauge.json_text_in('payload_texts', issue_fields, 'fields.issuetype.name') }} as issue_type_name,
        {{ streamgauge.safe_cast_boolean(streamgauge.json_text_in('payload_texts', issue_fields, 'fields.issuetype.subtask')) }} as is_subtask,
        {{ streamgauge.safe_cast_integer(streamgauge.json_text_in('payload_texts', issue_fields, 'fields.issuetype.hierarchyLevel'), 'integer') }} as jira_hierarchy_level,
        {{ streamgauge.json_text_in('payload_texts', issue_fields, 'fields.parent.id') }} as parent_issue_id,
        {{ streamgauge.json_text_in('payload_texts', issue_fields, 'fields.parent.key') }} as parent_issue_key,
        {{ streamgauge.json_extract_text_list('payload', 'fields.labels') }} as labels,
        {{ streamgauge.iso_to_utc_timestamp(streamgauge.json_text_in('payload_texts', issue_fields, 'fields.created')) }} as created_at,
        {{ streamgauge.iso_to_utc_timestamp(streamgauge.json_text_in('payload_texts', issue_fields, 'fields.updated')) }} as updated_at,
        {{ streamgauge.iso_to_utc_timestamp(streamgauge.json_text_in('payload_texts', issue_fields, 'fields.resolutiondate')) }} as resolved_at,
        fetched_at
    from parsed
)

select
    issues.source,
    issues.issue_id,
    issues.issue_key,
    issues.project_id,
    issues.project_key,
    issues.project_name,
    issues.summary,
    issues.status_id,
    issues.status_name,
    issues.status_category_key,
    issues.issue_type_id,
    issues.issue_type_name,
    issues.is_subtask,
    issues.jira_hierarchy_level,
    issues.parent_issue_id,
    issues.parent_issue_key,
    issues.labels,
    issues.created_at,
    issues.updated_at,
    issues.resolved_at,
    -- deleted when a tombstone was seen after (or with) the latest version of the issue; an issue
    -- that reappears later is live again
    coalesce(tombstones.fetched_at >= issues.fetched_at, false) as is_deleted,
    case when tombstones.fetched_at >= issues.fetched_at then tombstones.fetched_at end as deleted_detected_at,
    issues.fetched_at
from flattened as issues
left join latest_tombstones as tombstones
    on tombstones.source = issues.source
    and tombstones.record_id = issues.issue_id
