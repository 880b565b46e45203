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
    {{ streamgauge.latest_versions(streamgauge.optional_source(source_name, table_name)) }}
{%- endmacro %}

{#- The latest version of every record in a relation with the raw-table columns. -#}
{% macro latest_versions(relation_sql) -%}
    {{ streamgauge.select_first_per(relation_sql, 'source, record_id', 'fetched_at desc, payload_hash desc') }}
{%- endmacro %}

{#- In an incremental model: every landed version of the records with a version landed after the
    newest fetched_at the model holds (all of a raw table on a full build). Raw tables only grow and
    a version's fetched_at is when it landed, so these are exactly the records a refresh changed;
    the model replaces their rows (unique_key derived from record_id, delete+insert). -#}
{% macro changed_raw_versions(source_name, table_name) -%}
    {%- set relation = streamgauge.optional_source(source_name, table_name) -%}
    {%- if is_incremental() -%}
        (select * from {{ relation }} as raw_versions
         where (source, record_id) in (
             select source, record_id from {{ relation }} as landed
             where fetched_at > (select coalesce(max(fetched_at), {{ dbt.cast("'1900-01-01'", dbt.type_timestamp()) }})
                                 from {{ this }})))
    {%- else -%}
        {{ relation }}
    {%- endif -%}
{%- endmacro %}

{#- In an incremental model: latest_raw_records, but only of the records changed_raw_versions names. -#}
{% macro latest_changed_raw_records(source_name, table_name) -%}
    {{ streamgauge.latest_versions(streamgauge.changed_raw_versions(source_name, table_name)) }}
{%- endmacro %}
