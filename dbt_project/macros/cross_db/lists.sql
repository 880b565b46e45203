{#- Lists (DuckDB LIST, PostgreSQL arrays). -#}

{#- The number of elements of a list (0 for an empty list, NULL for NULL). -#}
{% macro list_size(list_expr) -%}
    {{- return(adapter.dispatch('list_size', 'streamgauge')(list_expr)) -}}
{%- endmacro %}

{% macro duckdb__list_size(list_expr) -%}len({{ list_expr }}){%- endmacro %}

{% macro default__list_size(list_expr) -%}coalesce(cardinality({{ list_expr }}), 0){%- endmacro %}

{#- A lateral FROM item with one row per element of a list: `element` and `ordinal` (0-based).
    Empty and NULL lists produce no rows. -#}
{% macro list_elements_join(list_expr, alias) -%}
    {{- return(adapter.dispatch('list_elements_join', 'streamgauge')(list_expr, alias)) -}}
{%- endmacro %}

{% macro duckdb__list_elements_join(list_expr, alias) -%}
    cross join lateral (
        select unnest({{ list_expr }}) as element, generate_subscripts({{ list_expr }}, 1) - 1 as ordinal
    ) as {{ alias }}
{%- endmacro %}

{% macro default__list_elements_join(list_expr, alias) -%}
    cross join lateral (
        select e.element, e.ordinal - 1 as ordinal
        from unnest({{ list_expr }}) with ordinality as e(element, ordinal)
    ) as {{ alias }}
{%- endmacro %}

{#- The text at `key` of every object in the JSON array at dotted `array_path`, as a text list
    (`parents[*].sha` of a GitHub commit); empty when the array is absent. -#}
{% macro json_extract_text_list_of(json_expr, array_path, key) -%}
    {{- return(adapter.dispatch('json_extract_text_list_of', 'streamgauge')(json_expr, array_path, key)) -}}
{%- endmacro %}

{% macro duckdb__json_extract_text_list_of(json_expr, array_path, key) -%}
    coalesce(json_extract_string({{ json_expr }}, '$
        {%- for part in streamgauge._json_path_keys(array_path) %}."{{ part }}"{% endfor %}[*]."{{ key }}"'), []::varchar[])
{%- endmacro %}

{% macro default__json_extract_text_list_of(json_expr, array_path, key) -%}
    array(select e ->> '{{ key }}' from jsonb_array_elements(
        coalesce(({{ json_expr }})::jsonb #> '{ {{- streamgauge._json_path_keys(array_path) | join(',') -}} }', '[]'::jsonb)) as e)
{%- endmacro %}
