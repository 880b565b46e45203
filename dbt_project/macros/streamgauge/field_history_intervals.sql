{#- A Jira field's value over time for every live (not deleted) issue, as [entered_at, exited_at)
    intervals. Shared by the status and the issue-type intervals.

    The first interval starts at `created` with the value the first change came *from* (the
    current value when there was no change). Every change opens the next interval. Changes are
    ordered by (changed_at, numeric history id, history id, item position), so equal timestamps and
    histories landed out of order give one stable sequence. The last interval is open (exited_at
    NULL). A change stamped before the issue's creation (clock skew) makes the first interval end
    before it starts; it is kept here and flagged downstream.

    Columns: source, issue_id, issue_key, interval_number (1-based), value, value_name,
    entered_at, exited_at, entered_by_history_id, is_history_gap (the change's *from* is not the
    previous change's *to*). -#}
{% macro field_history_intervals(field_id, current_value_column, current_name_column) %}
with issues as (
    select source, issue_id, issue_key, created_at,
        {{ current_value_column }} as current_value,
        {{ current_name_column }} as current_value_name
    from {{ ref('stg_jira__issues') }}
    where not is_deleted
),

changes as (
    select
        items.source,
        items.issue_id,
        items.history_id,
        items.changed_at,
        items.from_value,
        items.from_string,
        items.to_value,
        items.to_string,
        row_number() over (
            partition by items.source, items.issue_id
            order by items.changed_at, items.history_id_number, items.history_id, items.item_index
        ) as change_number
    from {{ ref('stg_jira__changelog_items') }} as items
    inner join issues
        on issues.source = items.source
        and issues.issue_id = items.issue_id
    where items.field_id = '{{ field_id }}'
        or (items.field_id is null and lower(items.field) = '{{ field_id }}')
),

changes_linked as (
    select
        changes.*,
        lag(to_value) over (partition by source, issue_id order by change_number) as previous_to_value
    from changes
),

first_intervals as (
    select
        issues.source,
        issues.issue_id,
        1 as interval_number,
        case when first_change.issue_id is not null then first_change.from_value
             else issues.current_value end as value,
        case when first_change.issue_id is not null then first_change.from_string
             else issues.current_value_name end as value_name,
        issues.created_at as entered_at,
        cast(null as {{ dbt.type_string() }}) as entered_by_history_id,
        false as is_history_gap
    from issues
    left join changes as first_change
        on first_change.source = issues.source
        and first_change.issue_id = issues.issue_id
        and first_change.change_number = 1
),

later_intervals as (
    select
        source,
        issue_id,
        change_number + 1 as interval_number,
        to_value as value,
        to_string as value_name,
        changed_at as entered_at,
        history_id as entered_by_history_id,
        change_number > 1 and coalesce(from_value <> previous_to_value,
                                       (from_value is null) <> (previous_to_value is null)) as is_history_gap
    from changes_linked
),

intervals as (
    select * from first_intervals
    union all
    select * from later_intervals
)

select
    intervals.source,
    intervals.issue_id,
    issues.issue_key,
    cast(intervals.interval_number as integer) as interval_number,
    intervals.value,
    intervals.value_name,
    intervals.entered_at,
    lead(intervals.entered_at) over (
        partition by intervals.source, intervals.issue_id order by intervals.interval_number
    ) as exited_at,
    intervals.entered_by_history_id,
    intervals.is_history_gap
from intervals
inner join issues
    on issues.source = intervals.source
    and issues.issue_id = intervals.issue_id
{% endmacro %}
