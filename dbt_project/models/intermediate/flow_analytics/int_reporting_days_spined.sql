{#- The daily calendar of the flow analytics marts: one row per local day (var reporting_timezone)
    from the local date of the first flow item's creation to the local date of as_of, gap-free.
    measured_at is the instant a day's end-of-day state is read at: the next local midnight (in
    UTC), or as_of on the as_of date, which is a partial day. States are read "just before"
    measured_at: something that happens exactly at local midnight belongs to the new day. -#}
{%- set tz = var('reporting_timezone', 'UTC') %}
with bounds as (
    select
        min({{ streamgauge.utc_to_local_date('created_at', tz) }}) as first_day,
        {{ streamgauge.date_literal(streamgauge.as_of_local_date()) }} as last_day
    from {{ ref('int_flow_item_spans_computed') }}
),

days as (
    select spine.day
    from bounds
    {{ streamgauge.days_between_join('bounds.first_day', 'bounds.last_day', 'spine') }}
),

bounded as (
    select
        day,
        {{ streamgauge.local_midnight_utc(streamgauge.add_days('day', 1), tz) }} as day_end_at
    from days
)

select
    day,
    {{ streamgauge.period_start('day', 'week') }} as week_start,
    {{ streamgauge.period_start('day', 'month') }} as month_start,
    day_end_at,
    case when day_end_at > {{ streamgauge.as_of() }} then {{ streamgauge.as_of() }} else day_end_at end as measured_at,
    day_end_at > {{ streamgauge.as_of() }} as is_partial_day
from bounded
