{#- One row per status interval of a flow item, [entered_at, exited_at), with its flow state and
    stage. Open intervals are measured to as_of; negative intervals (clock skew) have no duration. -#}
select
    {{ dbt.concat(['source', "':'", 'issue_id']) }} as flow_item_id,
    issue_key,
    interval_number,
    status_id,
    status_name_at_time,
    flow_state,
    stage,
    entered_at,
    exited_at,
    is_open,
    duration_hours,
    is_negative_duration
from {{ ref('int_status_intervals_mapped') }}
