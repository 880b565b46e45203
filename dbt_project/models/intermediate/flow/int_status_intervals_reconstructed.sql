{#- Status over time of every live issue: one row per [entered_at, exited_at) status interval,
    rebuilt from `created` and the `status` changelog items (see macro field_history_intervals). -#}
with intervals as (
    {{ streamgauge.field_history_intervals('status', 'status_id', 'status_name') }}
)

select
    source,
    issue_id,
    issue_key,
    interval_number,
    value as status_id,
    value_name as status_name_at_time,
    entered_at,
    exited_at,
    entered_by_history_id,
    is_history_gap
from intervals
