{#- The stages that steal the most time yet deliver the least impact: for every stage (the stages
    seed), the mean stage hours per item (an unvisited stage counts 0; stage_durations.duration_hours,
    rework included) of the ranked items in the bottom ROI quartile (feature_outcomes.roi_quartile
    4: least adoption per lead-time hour) against the top quartile (1), and the stage's share of
    those items' lead time. steal_rank 1 is the stage with the most extra hours per bottom-quartile
    item. -#}
with ranked as (
    select flow_item_id, roi_quartile, lead_time_hours
    from {{ ref('feature_outcomes') }}
    where roi_quartile in (1, 4)
),

stages as (
    select stage, stage_order from {{ ref('stages') }}
),

durations as (
    select flow_item_id, stage, duration_hours from {{ ref('stage_durations') }}
),

per_quartile as (
    select
        stages.stage,
        ranked.roi_quartile,
        count(*) as items,
        avg(coalesce(durations.duration_hours, 0.0)) as mean_stage_hours,
        sum(coalesce(durations.duration_hours, 0.0)) as stage_hours,
        sum(ranked.lead_time_hours) as lead_time_hours
    from ranked
    cross join stages
    left join durations
        on durations.flow_item_id = ranked.flow_item_id
        and durations.stage = stages.stage
    group by stages.stage, ranked.roi_quartile
),

compared as (
    select
        stages.stage,
        stages.stage_order,
        cast(coalesce(top_q.items, 0) as integer) as top_quartile_items,
        cast(coalesce(bottom_q.items, 0) as integer) as bottom_quartile_items,
        top_q.mean_stage_hours as top_quartile_mean_stage_hours,
        bottom_q.mean_stage_hours as bottom_quartile_mean_stage_hours,
        case when top_q.lead_time_hours > 0
            then 100.0 * top_q.stage_hours / top_q.lead_time_hours end as top_quartile_pct_of_lead_time,
        case when bottom_q.lead_time_hours > 0
            then 100.0 * bottom_q.stage_hours / bottom_q.lead_time_hours end as bottom_quartile_pct_of_lead_time,
        bottom_q.mean_stage_hours - top_q.mean_stage_hours as extra_hours_per_item
    from stages
    left join per_quartile as top_q
        on top_q.stage = stages.stage
        and top_q.roi_quartile = 1
    left join per_quartile as bottom_q
        on bottom_q.stage = stages.stage
        and bottom_q.roi_quartile = 4
)

select
    compared.*,
    case when top_quartile_mean_stage_hours > 0
        then bottom_quartile_mean_stage_hours / top_quartile_mean_stage_hours end as bottom_to_top_ratio,
    cast(row_number() over (
        order by case when extra_hours_per_item is null then 1 else 0 end, extra_hours_per_item desc, stage_order
    ) as integer) as steal_rank,
    {{ streamgauge.as_of() }} as as_of
from compared
