{#- Row selection helpers whose best form differs per database. -#}

{#- Every column of `relation_sql` (a relation or a parenthesised query), keeping one row per
    `partition_by` (a comma-separated column list): the first by `order_by`. -#}
{% macro select_first_per(relation_sql, partition_by, order_by) -%}
    {{- return(adapter.dispatch('select_first_per', 'streamgauge')(relation_sql, partition_by, order_by)) -}}
{%- endmacro %}

{% macro duckdb__select_first_per(relation_sql, partition_by, order_by) -%}
    select * from {{ relation_sql }} as ranked_source
    qualify row_number() over (partition by {{ partition_by }} order by {{ order_by }}) = 1
{%- endmacro %}

{% macro default__select_first_per(relation_sql, partition_by, order_by) -%}
    select distinct on ({{ partition_by }}) * from {{ relation_sql }} as ranked_source
    order by {{ partition_by }}, {{ order_by }}
{%- endmacro %}

{#- Text → integer type, NULL when the text is not an integer (instead of failing). -#}
{% macro safe_cast_integer(text_expr, type='bigint') -%}
    {{- return(adapter.dispatch('safe_cast_integer', 'streamgauge')(text_expr, type)) -}}
{%- endmacro %}

{% macro duckdb__safe_cast_integer(text_expr, type) -%}
    try_cast({{ text_expr }} as {{ type }})
{%- endmacro %}

{% macro default__safe_cast_integer(text_expr, type) -%}
    case when trim({{ text_expr }}) ~ '^[+-]?[0-9]{1,18}$' then cast(trim({{ text_expr }}) as {{ type }}) end
{%- endmacro %}

{#- Text → boolean, NULL when it is not 'true'/'false'. -#}
{% macro safe_cast_boolean(text_expr) -%}
    case lower({{ text_expr }}) when 'true' then true when 'false' then false end
{%- endmacro %}

{#- True when the list `list_expr` holds `value_expr`, ignoring case. -#}
{% macro list_contains_ci(list_expr, value_expr) -%}
    {{- return(adapter.dispatch('list_contains_ci', 'streamgauge')(list_expr, value_expr)) -}}
{%- endmacro %}

{% macro duckdb__list_contains_ci(list_expr, value_expr) -%}
    list_contains(list_transform({{ list_expr }}, lambda x: lower(x)), lower({{ value_expr }}))
{%- endmacro %}

{% macro default__list_contains_ci(list_expr, value_expr) -%}
    (lower({{ value_expr }}) = any(array(select lower(x) from unnest({{ list_expr }}) as x)))
{%- endmacro %}

{#- An empty list of text, typed. -#}
{% macro empty_text_list() -%}
    {{- return(adapter.dispatch('empty_text_list', 'streamgauge')()) -}}
{%- endmacro %}

{% macro duckdb__empty_text_list() -%}[]::varchar[]{%- endmacro %}

{% macro default__empty_text_list() -%}array[]::text[]{%- endmacro %}
