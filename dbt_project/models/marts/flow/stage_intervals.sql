{#- One row per stage visit of a flow item (see int_stage_visits_merged). -#}
select
    {{ dbt.concat(['source', "':'", 'issue_id']) }} as flow_item_id,
    issue_key,
    stage,
    stage_order,
    visit_number,
    entered_at,
    exited_at,
    is_open,
    duration_hours,
    in_flow_hours,
    previous_stage,
    is_backflow
from {{ ref('int_stage_visits_merged') }}
