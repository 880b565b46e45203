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

{#- The latest version of every record of a raw relation (only of the records that meet
    `condition`, a predicate on its columns, when given). -#}
{% macro latest_versions(relation, condition=none) -%}
    {{- return(adapter.dispatch('latest_versions', 'streamgauge')(relation, condition)) -}}
{%- endmacro %}

{% macro default__latest_versions(relation, condition) -%}
    {%- set versions -%}
        (select * from {{ relation }} as raw_versions{% if condition %} where {{ condition }}{% endif %})
    {%- endset -%}
    {{ streamgauge.select_first_per(versions, 'source, record_id', 'fetched_at desc, payload_hash desc') }}
{%- endmacro %}

{#- DuckDB: the latest versions are ranked on their keys alone and the rows fetched by rowid, so
    the payloads (kilobytes each) never go through the window's sort: at 1,000,000 flow items the
    raw tables' payloads are several times the memory limit and were spilled and sorted. An empty
    stand-in (empty_raw_relation) has no rowid and takes the portable path. -#}
{% macro duckdb__latest_versions(relation, condition) -%}
    {%- if relation is string -%}
        {{ streamgauge.default__latest_versions(relation, condition) }}
    {%- else -%}
        select * from {{ relation }} as raw_versions
        where rowid in (
            select rowid from {{ relation }} as ranked_versions
            {% if condition %}where {{ condition }}{% endif %}
            qualify row_number() over (partition by source, record_id order by fetched_at desc, payload_hash desc) = 1
        )
    {%- endif -%}
{%- endmacro %}

{#- In an incremental model: a predicate on a raw relation's rows, true for every landed version of
    the records with a version landed after the newest fetched_at the model holds (none on a full
    build: every record). Raw tables only grow and a version's fetched_at is when it landed, so
    these are exactly the records a refresh changed; the model replaces their rows (unique_key
    derived from record_id, delete+insert). -#}
{% macro changed_records_condition(relation) -%}
    {%- if is_incremental() -%}
        (source, record_id) in (
            select source, record_id from {{ relation }} as landed
            where fetched_at > (select coalesce(max(fetched_at), {{ dbt.cast("'1900-01-01'", dbt.type_timestamp()) }})
                                from {{ this }}))
    {%- endif -%}
{%- endmacro %}

{#- In an incremental model: every landed version of the records changed_records_condition names. -#}
{% macro changed_raw_versions(source_name, table_name) -%}
    {%- set relation = streamgauge.optional_source(source_name, table_name) -%}
    {%- set condition = streamgauge.changed_records_condition(relation) | trim -%}
    {%- if condition -%}
        (select * from {{ relation }} as raw_versions where {{ condition }})
    {%- else -%}
        {{ relation }}
    {%- endif -%}
{%- endmacro %}

{#- In an incremental model: latest_raw_records, but only of the records changed_records_condition names. -#}
{% macro latest_changed_raw_records(source_name, table_name) -%}
    {%- set relation = streamgauge.optional_source(source_name, table_name) -%}
    {%- set condition = streamgauge.changed_records_condition(relation) | trim -%}
    {{ streamgauge.latest_versions(relation, condition) }}
{%- endmacro %}
