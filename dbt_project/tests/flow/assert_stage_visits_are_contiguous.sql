{{ config(store_failures=true, meta={'dagster': {'ref': {'name': 'stage_intervals'}}}) }}
{#- Every stage visit of a flow item ends where the next one begins, unless the item sat in
    statuses without a stage (or with no length inside the lead span) in between: the visit
    numbering has no holes, only the last visit is open, visits never overlap, and no staged
    status interval with time in the lead span falls between two consecutive visits. Returns the
    offending visits. -#}
with visits as (
    select
        stage_intervals.*,
        lead(entered_at) over (partition by flow_item_id order by visit_number) as next_entered_at,
        lead(visit_number) over (partition by flow_item_id order by visit_number) as next_visit_number
    from {{ ref('stage_intervals') }} as stage_intervals
),

staged_status_intervals as (
    select
        {{ dbt.concat(['source', "':'", 'issue_id']) }} as flow_item_id,
        entered_at,
        exited_at
    from {{ ref('int_status_intervals_clipped') }}
    where stage is not null
        and lead_span_hours > 0
),

gaps_with_stage_time as (
    select distinct visits.flow_item_id, visits.visit_number
    from visits
    inner join staged_status_intervals as statuses
        on statuses.flow_item_id = visits.flow_item_id
        and statuses.entered_at < visits.next_entered_at
        and (statuses.exited_at is null or statuses.exited_at > visits.exited_at)
    where visits.exited_at < visits.next_entered_at
)

select visits.*
from visits
left join gaps_with_stage_time as gaps
    on gaps.flow_item_id = visits.flow_item_id
    and gaps.visit_number = visits.visit_number
where (visits.next_visit_number is not null and visits.next_visit_number <> visits.visit_number + 1)
    or (visits.next_entered_at is not null and (visits.exited_at is null or visits.exited_at > visits.next_entered_at))
    or gaps.visit_number is not null
