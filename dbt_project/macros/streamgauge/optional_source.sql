{#- A raw source table, or an empty relation with the raw-table columns when the table does not
    exist yet (a fresh warehouse, or a table the extractor never created, such as tombstones).
    source() is always called, so the dependency stays in the graph. -#}
{% macro optional_source(source_name, table_name) -%}
    {%- set relation = source(source_name, table_name) -%}
    {%- if not execute -%}
        {{- return(relation) -}}
    {%- endif -%}
    {%- set existing = adapter.get_relation(database=relation.database, schema=relation.schema,
                                            identifier=relation.identifier) -%}
    {%- if existing is not none -%}
        {{- return(relation) -}}
    {%- else -%}
        {{- log("streamgauge: " ~ relation ~ " does not exist yet; reading it as empty", info=false) -}}
        {{- return(streamgauge.empty_raw_relation()) -}}
    {%- endif -%}
{%- endmacro %}

{#- A parenthesised query with the columns of a raw table and no rows (see raw_store.py). -#}
{% macro empty_raw_relation() -%}
(
    select
        cast(null as {{ dbt.type_string() }}) as source,
        cast(null as {{ dbt.type_string() }}) as record_id,
        cast(null as {{ dbt.type_string() }}) as parent_id,
        cast(null as {{ streamgauge.type_json() }}) as payload,
        cast(null as {{ dbt.type_string() }}) as payload_hash,
        cast(null as {{ dbt.type_string() }}) as request,
        cast(null as {{ dbt.type_timestamp() }}) as fetched_at,
        cast(null as {{ dbt.type_string() }}) as batch_id
    where 1 = 0
)
{%- endmacro %}

{#- The latest version of every record of a raw table: one row per (source, record_id), the last
    fetched (ties broken by payload_hash so the choice is total). -#}
{% macro latest_raw_records(source_name, table_name) -%}
    {{ streamgauge.select_first_per(streamgauge.optional_source(source_name, table_name),
                                    'source, record_id', 'fetched_at desc, payload_hash desc') }}
{%- endmacro %}
