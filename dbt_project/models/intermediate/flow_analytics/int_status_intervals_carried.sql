{#- Every mapped status interval of a flow item with the stage the item is *held* in while in it:
    the status's own stage, or, for a status without a stage (flow state ignore, such as On Hold,
    or a canceled status the item left again), the stage of the last earlier interval that has a
    stage and a positive length — the same rule that keeps such a spell inside a stage visit. An
    item that has not been in any stage yet is held in the first stage in process order. Daily
    WIP, the cumulative flow diagram and aging_wip place items by this stage. -#}
with intervals as (
    select * from {{ ref('int_status_intervals_mapped') }}
),

stages as (
    select stage, stage_order from {{ ref('stages') }}
),

first_stage as (
    select stage, stage_order
    from stages
    where stage_order = (select min(stage_order) from stages)
),

marked as (
    select
        intervals.*,
        case
            when stage is not null and (exited_at is null or exited_at > entered_at) then 1 else 0
        end as is_staged_span
    from intervals
),

grouped as (
    select
        marked.*,
        sum(is_staged_span) over (
            partition by source, issue_id order by interval_number rows between unbounded preceding and current row
        ) as staged_group
    from marked
),

carried as (
    select
        grouped.*,
        max(case when is_staged_span = 1 then stage end) over (
            partition by source, issue_id, staged_group
        ) as carried_stage,
        max(case when is_staged_span = 1 then stage_order end) over (
            partition by source, issue_id, staged_group
        ) as carried_stage_order
    from grouped
)

select
    carried.source,
    carried.issue_id,
    carried.issue_key,
    carried.interval_number,
    carried.status_id,
    carried.status_name,
    carried.flow_state,
    carried.stage,
    carried.stage_order,
    carried.entered_at,
    carried.exited_at,
    carried.is_open,
    carried.is_negative_duration,
    coalesce(carried.stage, carried.carried_stage, first_stage.stage) as held_stage,
    coalesce(carried.stage_order, carried.carried_stage_order, first_stage.stage_order) as held_stage_order
from carried
cross join first_stage
