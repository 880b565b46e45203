{#- The lead time snapshot: where the lead time of recently completed items went, stage by stage
    in process order. Items: completed, history-complete flow items whose flow_end_at is in
    [window_start_at, window_end_at) (vars lead_time_window_start / _end; by default the
    lead_time_window_days before as_of). The widest stage is the prime delay. -#}
{%- set window = streamgauge.lead_time_window() %}
with window_bounds as (
    select
        {{ window['start'] }} as window_start_at,
        {{ window['end'] }} as window_end_at
),

items as (
    select flow_items.flow_item_id
    from {{ ref('int_flow_items_measured') }} as flow_items
    cross join window_bounds
    where flow_items.is_completed
        and flow_items.history_complete
        and flow_items.flow_end_at >= window_bounds.window_start_at
        and flow_items.flow_end_at < window_bounds.window_end_at
),

item_count as (
    select count(*) as items_in_window from items
),

per_stage as (
    select
        stages.stage,
        stages.stage_order,
        coalesce(sum(durations.duration_hours), 0.0) as total_hours,
        count(durations.duration_hours) as items_visiting
    from {{ ref('stages') }} as stages
    left join {{ ref('stage_durations') }} as durations
        on durations.stage = stages.stage
        and durations.flow_item_id in (select flow_item_id from items)
        and durations.visit_count > 0
    group by stages.stage, stages.stage_order
),

totals as (
    select sum(total_hours) as all_stage_hours from per_stage
),

ranked as (
    select
        per_stage.*,
        row_number() over (order by per_stage.total_hours desc, per_stage.stage_order) as width_rank
    from per_stage
)

select
    window_bounds.window_start_at,
    window_bounds.window_end_at,
    ranked.stage,
    ranked.stage_order,
    ranked.total_hours,
    case when totals.all_stage_hours > 0 then 100.0 * ranked.total_hours / totals.all_stage_hours end as pct_of_lead_time,
    cast(item_count.items_in_window as integer) as items_in_window,
    cast(ranked.items_visiting as integer) as items_visiting,
    case when item_count.items_in_window > 0
        then ranked.total_hours / item_count.items_in_window end as mean_hours_per_item,
    ranked.width_rank = 1 and ranked.total_hours > 0 as is_widest
from ranked
cross join window_bounds
cross join totals
cross join item_count
order by ranked.stage_order
