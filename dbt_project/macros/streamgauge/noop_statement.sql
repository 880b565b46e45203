{#- Overrides dbt's builtin noop_statement (global project, macros/etc/statement.sql) so that a seed
    read from outside the project is never overwritten.

    Seeds write their "runtime SQL" to target/run/<project>/<original_file_path>. When seed-paths
    points outside the project — STREAMGAUGE_MAPPINGS_DIR set to an absolute path — that path is
    absolute, os.path.join drops the target prefix, and dbt replaces the user's mapping CSV with a
    CREATE TABLE statement (dbt-core issues #7373 and #10886, unfixed in 1.11). We skip that write
    for such seeds; everything else behaves exactly like the builtin. -#}
{% macro noop_statement(name=None, message=None, code=None, rows_affected=None, res=None) -%}
  {%- set sql = caller() -%}

  {%- if name == 'main' -%}
    {%- if streamgauge.is_seed_outside_project(model) -%}
      {{ log('Not writing runtime SQL for seed "{}": it lives outside the project'.format(model['unique_id'])) }}
    {%- else -%}
      {{ log('Writing runtime SQL for node "{}"'.format(model['unique_id'])) }}
      {{ write(sql) }}
    {%- endif -%}
  {%- endif -%}

  {%- if name is not none -%}
    {{ store_raw_result(name, message=message, code=code, rows_affected=rows_affected, agate_table=res) }}
  {%- endif -%}
{%- endmacro %}

{% macro is_seed_outside_project(node) -%}
  {%- set path = (node.get('original_file_path') or '') | string -%}
  {{- return(node.get('resource_type') == 'seed'
             and (path.startswith('/') or path.startswith('\\') or path.startswith('..') or path[1:2] == ':')) -}}
{%- endmacro %}
