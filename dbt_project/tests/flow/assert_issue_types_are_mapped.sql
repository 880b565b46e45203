{{ config(store_failures=true, severity='warn', meta={'dagster': {'ref': {'name': 'int_issue_type_intervals_reconstructed'}}}) }}
{#- Lists every issue type (of any live issue, at any time) that issue_type_mapping does not map.
    Severity warn: the build itself stops in int_issue_types_resolved with a message naming the
    first one; this test lists them all. -#}
with named_intervals as (
    select
        intervals.*,
        coalesce(issue_types.issue_type_name, intervals.issue_type_name_at_time) as issue_type_name,
        issue_types.issue_type_untranslated_name
    from {{ ref('int_issue_type_intervals_reconstructed') }} as intervals
    left join {{ ref('stg_jira__issue_types') }} as issue_types
        on issue_types.source = intervals.source
        and issue_types.issue_type_id = intervals.issue_type_id
),

unmapped as (
    select named_intervals.*
    from named_intervals
    where not exists (
        select 1
        from {{ ref('issue_type_mapping') }} as rules
        where rules.label is null
            and {{ streamgauge.issue_type_rule_applies('named_intervals', 'rules') }}
    )
),

first_seen as (
    select
        unmapped.*,
        row_number() over (partition by source, issue_type_id order by entered_at, issue_key) as seen_order
    from unmapped
)

select
    source,
    issue_type_id,
    issue_type_name,
    issue_key as first_seen_issue_key,
    entered_at as first_seen_at
from first_seen
where seen_order = 1
