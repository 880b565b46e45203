{#- Issue type over time of every live issue: one row per [entered_at, exited_at) interval, rebuilt
    from `created` and the `issuetype` changelog items (see macro field_history_intervals). -#}
with intervals as (
    {{ streamgauge.field_history_intervals('issuetype', 'issue_type_id', 'issue_type_name') }}
)

select
    source,
    issue_id,
    issue_key,
    interval_number,
    value as issue_type_id,
    value_name as issue_type_name_at_time,
    entered_at,
    exited_at,
    entered_by_history_id
from intervals
