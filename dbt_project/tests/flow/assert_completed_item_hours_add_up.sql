{{ config(store_failures=true, meta={'dagster': {'ref': {'name': 'flow_items'}}}) }}
{#- For completed flow items without negative intervals:
    * the in-flow stage hours plus ignored_hours add up to flow_time_hours;
    * the stage hours plus the hours in stage-less statuses inside the lead span add up to
      lead_time_hours (this equals ignored_hours unless the item sat in a stage-less status before
      its flow started);
    * active + wait + done dwell + ignored hours never exceed flow_time_hours.
    Tolerance: one millisecond. -#}
with items as (
    select *
    from {{ ref('flow_items') }}
    where is_completed and negative_interval_count = 0
),

stage_sums as (
    select
        flow_item_id,
        sum(coalesce(duration_hours, 0.0)) as stage_hours,
        sum(coalesce(in_flow_hours, 0.0)) as in_flow_stage_hours
    from {{ ref('stage_durations') }}
    group by flow_item_id
),

stageless_in_lead_span as (
    select
        {{ dbt.concat(['source', "':'", 'issue_id']) }} as flow_item_id,
        sum(case when stage is null then lead_span_hours else 0.0 end) as stageless_hours
    from {{ ref('int_status_intervals_clipped') }}
    group by 1
),

checked as (
    select
        items.flow_item_id,
        items.issue_key,
        items.lead_time_hours,
        items.flow_time_hours,
        items.ignored_hours,
        coalesce(stage_sums.stage_hours, 0.0) as stage_hours,
        coalesce(stage_sums.in_flow_stage_hours, 0.0) as in_flow_stage_hours,
        coalesce(stageless_in_lead_span.stageless_hours, 0.0) as stageless_lead_hours,
        items.active_time_hours + items.wait_time_hours + items.done_dwell_hours + items.ignored_hours as state_hours
    from items
    left join stage_sums on stage_sums.flow_item_id = items.flow_item_id
    left join stageless_in_lead_span on stageless_in_lead_span.flow_item_id = items.flow_item_id
)

select *
from checked
where abs(stage_hours + stageless_lead_hours - lead_time_hours) > 0.001 / 3600
    or (flow_time_hours is not null and abs(in_flow_stage_hours + ignored_hours - flow_time_hours) > 0.001 / 3600)
    or (flow_time_hours is not null and state_hours > flow_time_hours + 0.001 / 3600)
