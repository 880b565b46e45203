{{ config(store_failures=true, severity='warn', meta={'dagster': {'ref': {'name': 'int_status_intervals_reconstructed'}}}) }}
{#- Lists every status of a flow item that status_flow_mapping does not map (for the interval's
    source and entry date), with where it was first seen. Severity warn: the build itself stops in
    int_status_intervals_mapped with a message naming the first one; this test lists them all. -#}
with intervals as (
    select reconstructed.*
    from {{ ref('int_status_intervals_reconstructed') }} as reconstructed
    inner join {{ ref('int_issue_ancestors_resolved') }} as issues
        on issues.source = reconstructed.source
        and issues.issue_id = reconstructed.issue_id
    where issues.is_flow_item
),

unmapped as (
    select intervals.*
    from intervals
    where not exists (
        select 1
        from {{ ref('status_flow_mapping') }} as rules
        where {{ streamgauge.status_rule_applies('intervals', 'rules') }}
    )
),

first_seen as (
    select
        source,
        status_id,
        status_name_at_time,
        issue_key,
        entered_at,
        row_number() over (partition by source, status_id order by entered_at, issue_key) as seen_order
    from unmapped
)

select
    first_seen.source,
    first_seen.status_id,
    coalesce(statuses.status_name, first_seen.status_name_at_time) as status_name,
    first_seen.issue_key as first_seen_issue_key,
    first_seen.entered_at as first_seen_at,
    (select count(*) from unmapped
     where unmapped.source = first_seen.source and unmapped.status_id = first_seen.status_id) as interval_count
from first_seen
left join {{ ref('stg_jira__statuses') }} as statuses
    on statuses.source = first_seen.source
    and statuses.status_id = first_seen.status_id
where first_seen.seen_order = 1
