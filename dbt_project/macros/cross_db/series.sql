{#- A lateral FROM item with one row per calendar day `day` (date) from `start_expr` to `end_expr`
    inclusive (both dates; no rows when start is after end or either is NULL). -#}
{% macro days_between_join(start_expr, end_expr, alias) -%}
    {{- return(adapter.dispatch('days_between_join', 'streamgauge')(start_expr, end_expr, alias)) -}}
{%- endmacro %}

{% macro duckdb__days_between_join(start_expr, end_expr, alias) -%}
    cross join lateral (
        select cast(unnest(generate_series(cast({{ start_expr }} as timestamp), cast({{ end_expr }} as timestamp),
                                           interval 1 day)) as date) as day
    ) as {{ alias }}
{%- endmacro %}

{% macro default__days_between_join(start_expr, end_expr, alias) -%}
    cross join lateral (
        select cast(g as date) as day
        from generate_series(cast({{ start_expr }} as timestamp), cast({{ end_expr }} as timestamp), interval '1 day') as g
    ) as {{ alias }}
{%- endmacro %}

{#- A date `n` days (or months) after a date expression, as a date. -#}
{% macro add_days(date_expr, n) -%}
    cast({{ dbt.dateadd('day', n, date_expr) }} as date)
{%- endmacro %}

{% macro add_months(date_expr, n) -%}
    cast({{ dbt.dateadd('month', n, date_expr) }} as date)
{%- endmacro %}
