{#- Stage visits of every flow item (gaps and islands). Intervals without a stage (flow state
    ignore or canceled) and intervals with no length inside the lead span (several transitions in
    one instant, the final done run of a completed item, negative intervals) are dropped first;
    then consecutive intervals of the same stage form one visit, so an instantaneous bounce or a
    spell On Hold does not split or add a visit. A visit is a backflow when the previous visit's
    stage comes later in process order.

    A visit's entered_at / exited_at are those of its first / last interval; its hours are the sum
    of its stage intervals' hours (stage-less time inside the visit is not counted). -#}
with kept as (
    select *
    from {{ ref('int_status_intervals_clipped') }}
    where stage is not null
        and lead_span_hours > 0
),

flagged as (
    select
        kept.*,
        case
            when lag(stage) over (partition by source, issue_id order by interval_number) = stage then 0
            else 1
        end as starts_visit
    from kept
),

numbered as (
    select
        flagged.*,
        sum(starts_visit) over (
            partition by source, issue_id order by interval_number rows between unbounded preceding and current row
        ) as visit_number
    from flagged
),

visits as (
    select
        source,
        issue_id,
        max(issue_key) as issue_key,
        visit_number,
        max(stage) as stage,
        max(stage_order) as stage_order,
        min(interval_number) as first_interval_number,
        max(interval_number) as last_interval_number,
        count(*) as interval_count,
        min(entered_at) as entered_at,
        case when sum(case when exited_at is null then 1 else 0 end) > 0 then null else max(exited_at) end as exited_at,
        sum(lead_span_hours) as duration_hours,
        sum(flow_span_hours) as in_flow_hours
    from numbered
    group by source, issue_id, visit_number
),

linked as (
    select
        visits.*,
        lag(stage) over (partition by source, issue_id order by visit_number) as previous_stage,
        lag(stage_order) over (partition by source, issue_id order by visit_number) as previous_stage_order
    from visits
)

select
    source,
    issue_id,
    issue_key,
    cast(visit_number as integer) as visit_number,
    stage,
    stage_order,
    first_interval_number,
    last_interval_number,
    cast(interval_count as integer) as interval_count,
    entered_at,
    exited_at,
    exited_at is null as is_open,
    duration_hours,
    in_flow_hours,
    previous_stage,
    coalesce(previous_stage_order > stage_order, false) as is_backflow
from linked
