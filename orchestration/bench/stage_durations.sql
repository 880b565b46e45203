-- Hours per flow item and stage straight from raw.jira_issues / raw.jira_changelogs and the mapping
-- seeds: the floor the dbt models should approach (streamgauge bench, baseline "hand-written SQL").
-- Parameter $as_of: the run's fixed "now" (naive UTC timestamp).
with issues as (
    select
        source,
        record_id as issue_id,
        json_extract_string(payload, '$.key') as issue_key,
        lower(json_extract_string(payload, '$.fields.issuetype.name')) as type_name,
        json_extract_string(payload, '$.fields.issuetype.id') as type_id,
        json_extract_string(payload, '$.fields.status.id') as status_id,
        cast(json_extract_string(payload, '$.fields.created') as timestamptz) at time zone 'UTC' as created_at,
        fetched_at
    from raw.jira_issues
    qualify row_number() over (partition by source, record_id order by fetched_at desc, payload_hash desc) = 1
),

live_flow_items as (
    select issues.*
    from issues
    inner join mappings.issue_type_mapping as m
        on (m.source = issues.source or m.source = '*') and m.label is null
        and (m.issue_type_id = issues.type_id
             or (m.issue_type_id is null and lower(m.issue_type_name) = issues.type_name))
    where not exists (
        select 1 from raw.jira_tombstones as t
        where t.source = issues.source and t.record_id = issues.issue_id and t.fetched_at >= issues.fetched_at)
    qualify m.hierarchy_level = 'story'
        and row_number() over (partition by issues.source, issues.issue_id order by m.source = '*') = 1
),

changes as (
    select
        h.source,
        h.parent_id as issue_id,
        cast(json_extract_string(h.payload, '$.created') as timestamptz) at time zone 'UTC' as changed_at,
        coalesce(json_extract_string(h.payload, '$.id'), h.record_id) as history_id,
        cast(i.key as integer) as item_index,
        json_extract_string(i.value, '$.from') as from_value,
        json_extract_string(i.value, '$.to') as to_value
    from (
        select * from raw.jira_changelogs
        qualify row_number() over (partition by source, record_id order by fetched_at desc, payload_hash desc) = 1
    ) as h
    cross join lateral json_each(h.payload, '$.items') as i
    where json_extract_string(i.value, '$.fieldId') = 'status'
        or (json_extract_string(i.value, '$.fieldId') is null and lower(json_extract_string(i.value, '$.field')) = 'status')
),

intervals as (
    select
        f.source, f.issue_id, f.created_at,
        c.changed_at as entered_at,
        c.to_value as status_id,
        row_number() over w + 1 as n,
        lead(c.changed_at) over w as exited_at
    from live_flow_items as f
    join changes as c on c.source = f.source and c.issue_id = f.issue_id
    window w as (partition by f.source, f.issue_id
                 order by c.changed_at, try_cast(c.history_id as bigint), c.history_id, c.item_index)
),

first_intervals as (
    select
        f.source, f.issue_id, f.created_at, f.created_at as entered_at,
        coalesce(arg_min(c.from_value, (c.changed_at, try_cast(c.history_id as bigint), c.history_id, c.item_index)),
                 f.status_id) as status_id,
        1 as n,
        min(c.changed_at) as exited_at
    from live_flow_items as f
    left join changes as c on c.source = f.source and c.issue_id = f.issue_id
    group by f.source, f.issue_id, f.created_at, f.status_id
),

mapped as (
    select iv.*, r.flow_state, r.stage as rule_stage
    from (select * from intervals union all by name select * from first_intervals) as iv
    left join mappings.status_flow_mapping as r
        on r.status_id = iv.status_id and (r.source = iv.source or r.source = '*')
        and (r.valid_from is null or iv.entered_at >= r.valid_from)
        and (r.valid_to is null or iv.entered_at < r.valid_to)
    qualify row_number() over (
        partition by iv.source, iv.issue_id, iv.n order by r.source = '*', r.valid_from desc nulls last) = 1
),

states as (
    select
        *,
        case when flow_state not in ('ignore', 'canceled') then rule_stage end as stage
    from mapped
),

span_ends as (
    select
        source, issue_id,
        case arg_max(flow_state, n)
            when 'done' then min(entered_at) filter (where in_final_done_run)
            when 'canceled' then min(entered_at) filter (where in_final_canceled_run)
        end as span_end_at
    from (
        select
            *,
            n > coalesce(max(n) filter (where flow_state <> 'done') over item, 0) as in_final_done_run,
            n > coalesce(max(n) filter (where flow_state <> 'canceled') over item, 0) as in_final_canceled_run
        from states
        window item as (partition by source, issue_id)
    )
    group by source, issue_id
),

kept as (
    select
        s.source, s.issue_id, s.n, s.stage,
        epoch_us(least(coalesce(s.exited_at, $as_of), coalesce(e.span_end_at, $as_of)))
            - epoch_us(greatest(s.entered_at, s.created_at)) as span_us
    from states as s
    join span_ends as e using (source, issue_id)
    where s.stage is not null and coalesce(s.exited_at, $as_of) >= s.entered_at
),

runs as (
    select
        *,
        case when lag(stage) over (partition by source, issue_id order by n) = stage then 0 else 1 end as starts_visit
    from kept
    where span_us > 0
)

select
    source || ':' || issue_id as flow_item_id,
    stage,
    sum(span_us) / 3600000000.0 as duration_hours,
    cast(sum(starts_visit) as integer) as visit_count
from runs
group by all
