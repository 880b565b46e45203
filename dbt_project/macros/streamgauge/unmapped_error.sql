{#- The error that stops the build when a mapping seed has no row for a value, e.g.
    streamgauge: status 10113 "Waiting for Customer" from source demo-jira is not in
    status_flow_mapping (first seen on PAY-12) — add it to seeds/mappings/status_flow_mapping.csv
    `kind` is a literal ('status', 'issue type'); the other arguments are SQL expressions. -#}
{% macro unmapped_error(kind, id_expr, name_expr, source_expr, first_seen_expr, seed_name) -%}
    {%- set seed_file = env_var('STREAMGAUGE_MAPPINGS_DIR', 'seeds/mappings') ~ '/' ~ seed_name ~ '.csv' -%}
    {%- set message -%}
        'streamgauge: {{ kind }} ' || coalesce({{ id_expr }}, '(none)')
        || ' "' || coalesce({{ name_expr }}, '') || '" from source ' || {{ source_expr }}
        || ' is not in {{ seed_name }} (first seen on ' || coalesce({{ first_seen_expr }}, '?')
        || ') — add it to {{ seed_file | replace("'", "''") }}'
    {%- endset -%}
    {{- streamgauge.raise_error(message) -}}
{%- endmacro %}
