{#- One row per flow item and stage of the `stages` seed: every visit's hours added up (rework adds
    up), the part inside the flow span, visits, first entry, last exit and backflows. A stage the
    item never visited has NULL hours and 0 visits. Items with neither a flow start nor any stage
    time are left out. -#}
with items as (
    select * from {{ ref('int_flow_items_measured') }}
),

stages as (
    select stage, stage_order from {{ ref('stages') }}
),

visits as (
    select
        {{ dbt.concat(['source', "':'", 'issue_id']) }} as flow_item_id,
        int_stage_visits_merged.*
    from {{ ref('int_stage_visits_merged') }}
),

per_stage as (
    select
        flow_item_id,
        stage,
        sum(duration_hours) as duration_hours,
        sum(in_flow_hours) as in_flow_hours,
        count(*) as visit_count,
        min(entered_at) as first_entered_at,
        max(visit_number) as last_visit_number,
        sum(case when is_backflow then 1 else 0 end) as backflow_count
    from visits
    group by flow_item_id, stage
),

eligible_items as (
    select items.*
    from items
    where items.flow_start_at is not null
        or exists (select 1 from visits where visits.flow_item_id = items.flow_item_id)
)

select
    eligible_items.flow_item_id,
    eligible_items.issue_key,
    eligible_items.flow_item_type,
    eligible_items.is_completed,
    eligible_items.flow_end_at,
    stages.stage,
    stages.stage_order,
    per_stage.duration_hours,
    case when per_stage.visit_count > 0 then coalesce(per_stage.in_flow_hours, 0.0) end as in_flow_hours,
    cast(coalesce(per_stage.visit_count, 0) as integer) as visit_count,
    per_stage.first_entered_at,
    last_visit.exited_at as last_exited_at,
    cast(coalesce(per_stage.backflow_count, 0) as integer) as backflow_count
from eligible_items
cross join stages
left join per_stage
    on per_stage.flow_item_id = eligible_items.flow_item_id
    and per_stage.stage = stages.stage
left join visits as last_visit
    on last_visit.flow_item_id = per_stage.flow_item_id
    and last_visit.visit_number = per_stage.last_visit_number
