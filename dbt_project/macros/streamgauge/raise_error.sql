{#- Fails the running query with `message_expr` (a SQL text expression) in the error text.
    Use it inside a CASE so it only runs for the offending rows, e.g.
    `case when m.flow_state is null then {{ raise_error("'unmapped: ' || status_id") }} else m.flow_state end`.
    The expression has the type text so it fits into such a CASE. -#}
{% macro raise_error(message_expr) -%}
    {{- return(adapter.dispatch('raise_error', 'streamgauge')(message_expr)) -}}
{%- endmacro %}

{#- DuckDB: error(msg) raises "Invalid Input Error: <msg>". -#}
{% macro duckdb__raise_error(message_expr) -%}
    cast(error({{ message_expr }}) as {{ dbt.type_string() }})
{%- endmacro %}

{#- Elsewhere: a cast that fails, whose error text quotes the message
    (PostgreSQL: invalid input syntax for type integer: "<msg>"). -#}
{% macro default__raise_error(message_expr) -%}
    cast(cast({{ message_expr }} as integer) as {{ dbt.type_string() }})
{%- endmacro %}
