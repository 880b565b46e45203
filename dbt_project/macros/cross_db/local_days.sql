{#- Local calendar days and periods in the reporting time zone. Every stored timestamp is UTC. -#}

{#- The UTC timestamp of local midnight at the start of the local date `date_expr` in time zone
    `tz` (an IANA name, rendered as a literal). `timestamp AT TIME ZONE zone` reads a naive
    timestamp as local time in both DuckDB (ICU) and PostgreSQL; a second `AT TIME ZONE 'UTC'`
    gives back a naive UTC timestamp. -#}
{% macro local_midnight_utc(date_expr, tz) -%}
    {{- return(adapter.dispatch('local_midnight_utc', 'streamgauge')(date_expr, tz)) -}}
{%- endmacro %}

{% macro duckdb__local_midnight_utc(date_expr, tz) -%}
    cast((cast({{ date_expr }} as timestamp) at time zone '{{ tz }}') at time zone 'UTC' as timestamp)
{%- endmacro %}

{% macro default__local_midnight_utc(date_expr, tz) -%}
    cast((cast({{ date_expr }} as timestamp) at time zone '{{ tz }}') at time zone 'UTC' as timestamp)
{%- endmacro %}

{#- The first day of the `grain` ('week': ISO week from Monday, 'month') holding a date, as a date. -#}
{% macro period_start(date_expr, grain) -%}
    cast({{ dbt.date_trunc(grain, date_expr) }} as date)
{%- endmacro %}

{#- The first day after the `grain` period that starts at `period_start_expr`, as a date. -#}
{% macro period_end(period_start_expr, grain) -%}
    {%- if grain == 'week' -%}
        cast({{ dbt.dateadd('day', 7, period_start_expr) }} as date)
    {%- else -%}
        cast({{ dbt.dateadd(grain, 1, period_start_expr) }} as date)
    {%- endif -%}
{%- endmacro %}
