{#- JSON access. DuckDB keeps raw payloads as JSON; the default (PostgreSQL-flavoured) versions
    expect json/jsonb. A path is written dotted: 'fields.status.id'. -#}

{% macro _json_path_keys(path) -%}
    {{- return(path.split('.')) -}}
{%- endmacro %}

{#- Text at `path` (NULL when absent or JSON null). -#}
{% macro json_extract_text(json_expr, path) -%}
    {{- return(adapter.dispatch('json_extract_text', 'streamgauge')(json_expr, path)) -}}
{%- endmacro %}

{% macro duckdb__json_extract_text(json_expr, path) -%}
    json_extract_string({{ json_expr }}, '${% for key in streamgauge._json_path_keys(path) %}."{{ key }}"{% endfor %}')
{%- endmacro %}

{% macro default__json_extract_text(json_expr, path) -%}
    ({{ json_expr }} #>> '{ {{- streamgauge._json_path_keys(path) | join(',') -}} }')
{%- endmacro %}

{#- Many texts of one JSON document, parsed once. In one CTE select
    `json_extract_texts(json_expr, paths)` as a column (say `payload_texts`); in the next read each
    field with `json_text_in('payload_texts', paths, path)`, `path` one of `paths`. Extracting field
    by field parses a document once per field, which dominates the staging models on wide payloads.
    DuckDB: one json_extract_string with the list of paths, and the list's elements; default: the
    document itself, read with #>>. -#}
{% macro json_extract_texts(json_expr, paths) -%}
    {{- return(adapter.dispatch('json_extract_texts', 'streamgauge')(json_expr, paths)) -}}
{%- endmacro %}

{% macro duckdb__json_extract_texts(json_expr, paths) -%}
    json_extract_string({{ json_expr }}, [
        {%- for path in paths -%}
        '${% for key in streamgauge._json_path_keys(path) %}."{{ key }}"{% endfor %}'{{ ", " if not loop.last }}
        {%- endfor -%}
    ])
{%- endmacro %}

{% macro default__json_extract_texts(json_expr, paths) -%}
    {{ json_expr }}
{%- endmacro %}

{% macro json_text_in(texts_expr, paths, path) -%}
    {%- if path not in paths -%}
        {{- exceptions.raise_compiler_error("json_text_in: " ~ path ~ " is not one of the extracted paths " ~ paths) -}}
    {%- endif -%}
    {{- return(adapter.dispatch('json_text_in', 'streamgauge')(texts_expr, paths, path)) -}}
{%- endmacro %}

{% macro duckdb__json_text_in(texts_expr, paths, path) -%}
    {{ texts_expr }}[{{ paths.index(path) + 1 }}]
{%- endmacro %}

{% macro default__json_text_in(texts_expr, paths, path) -%}
    {{ streamgauge.default__json_extract_text(texts_expr, path) }}
{%- endmacro %}

{#- JSON value at `path`. -#}
{% macro json_extract_json(json_expr, path) -%}
    {{- return(adapter.dispatch('json_extract_json', 'streamgauge')(json_expr, path)) -}}
{%- endmacro %}

{% macro duckdb__json_extract_json(json_expr, path) -%}
    json_extract({{ json_expr }}, '${% for key in streamgauge._json_path_keys(path) %}."{{ key }}"{% endfor %}')
{%- endmacro %}

{% macro default__json_extract_json(json_expr, path) -%}
    ({{ json_expr }} #> '{ {{- streamgauge._json_path_keys(path) | join(',') -}} }')
{%- endmacro %}

{#- The array of strings at `path` as a list of text (empty list when absent). -#}
{% macro json_extract_text_list(json_expr, path) -%}
    {{- return(adapter.dispatch('json_extract_text_list', 'streamgauge')(json_expr, path)) -}}
{%- endmacro %}

{% macro duckdb__json_extract_text_list(json_expr, path) -%}
    coalesce(json_extract_string({{ json_expr }}, '$
        {%- for key in streamgauge._json_path_keys(path) %}."{{ key }}"{% endfor %}[*]'), []::varchar[])
{%- endmacro %}

{% macro default__json_extract_text_list(json_expr, path) -%}
    array(select jsonb_array_elements_text(
        coalesce(({{ json_expr }})::jsonb #> '{ {{- streamgauge._json_path_keys(path) | join(',') -}} }', '[]'::jsonb)))
{%- endmacro %}

{#- A FROM-clause item, joined laterally, with one row per element of the JSON array at `path`:
    columns `element` (JSON) and `ordinal` (0-based position). Rows whose array is absent or empty
    produce no rows. -#}
{% macro json_array_elements_join(json_expr, path, alias) -%}
    {{- return(adapter.dispatch('json_array_elements_join', 'streamgauge')(json_expr, path, alias)) -}}
{%- endmacro %}

{#- DuckDB: unnest in a select list rather than json_each. DuckDB joins a lateral json_each back
    to its rows on the whole JSON value (hashing every distinct payload, which spills at scale);
    a lateral unnest stays a plain unnest. -#}
{% macro duckdb__json_array_elements_join(json_expr, path, alias) -%}
    cross join lateral (
        select numbered.element_at.element as element, numbered.element_at.ordinal as ordinal
        from (
            select unnest(list_transform(
                json_extract({{ json_expr }}, '$
                    {%- for key in streamgauge._json_path_keys(path) %}."{{ key }}"{% endfor %}[*]'),
                lambda element, position: {'element': element, 'ordinal': cast(position - 1 as integer)}
            )) as element_at
        ) as numbered
    ) as {{ alias }}
{%- endmacro %}

{% macro default__json_array_elements_join(json_expr, path, alias) -%}
    cross join lateral (
        select e.element, e.ordinal - 1 as ordinal
        from jsonb_array_elements(({{ json_expr }})::jsonb #> '{ {{- streamgauge._json_path_keys(path) | join(',') -}} }')
             with ordinality as e(element, ordinal)
    ) as {{ alias }}
{%- endmacro %}

{#- The SQL type raw payloads are stored in. -#}
{% macro type_json() -%}
    {{- return(adapter.dispatch('type_json', 'streamgauge')()) -}}
{%- endmacro %}

{% macro duckdb__type_json() -%}json{%- endmacro %}

{% macro default__type_json() -%}jsonb{%- endmacro %}
