{#- Regular expressions (RE2 in DuckDB, POSIX in PostgreSQL: keep patterns to the common subset —
    no look-around, no back-references). -#}

{#- True when `text_expr` matches `pattern_expr` anywhere, ignoring case (NULL when either is NULL). -#}
{% macro regex_matches_ci(text_expr, pattern_expr) -%}
    {{- return(adapter.dispatch('regex_matches_ci', 'streamgauge')(text_expr, pattern_expr)) -}}
{%- endmacro %}

{% macro duckdb__regex_matches_ci(text_expr, pattern_expr) -%}
    regexp_matches({{ text_expr }}, {{ pattern_expr }}, 'i')
{%- endmacro %}

{% macro default__regex_matches_ci(text_expr, pattern_expr) -%}
    (({{ text_expr }}) ~* ({{ pattern_expr }}))
{%- endmacro %}

{#- The text of capture group `group` of the first match of `pattern` (a SQL text literal or
    expression), NULL when there is no match. -#}
{% macro regex_extract(text_expr, pattern, group=1) -%}
    {{- return(adapter.dispatch('regex_extract', 'streamgauge')(text_expr, pattern, group)) -}}
{%- endmacro %}

{% macro duckdb__regex_extract(text_expr, pattern, group) -%}
    nullif(regexp_extract({{ text_expr }}, {{ pattern }}, {{ group }}), '')
{%- endmacro %}

{% macro default__regex_extract(text_expr, pattern, group) -%}
    (regexp_match({{ text_expr }}, {{ pattern }}))[{{ group }}]
{%- endmacro %}

{#- Capture group `group` of every (non-overlapping) match, as a text list (empty when none). -#}
{% macro regex_extract_all(text_expr, pattern, group=1) -%}
    {{- return(adapter.dispatch('regex_extract_all', 'streamgauge')(text_expr, pattern, group)) -}}
{%- endmacro %}

{% macro duckdb__regex_extract_all(text_expr, pattern, group) -%}
    coalesce(regexp_extract_all({{ text_expr }}, {{ pattern }}, {{ group }}), []::varchar[])
{%- endmacro %}

{% macro default__regex_extract_all(text_expr, pattern, group) -%}
    array(select m[{{ group }}] from regexp_matches(coalesce({{ text_expr }}, ''), {{ pattern }}, 'g') as m)
{%- endmacro %}
