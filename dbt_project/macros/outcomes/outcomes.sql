{#- Helpers of the outcome models (LaunchDarkly payloads, NPS). Adapter-dispatched where DuckDB
    differs; the default implementations are PostgreSQL-flavoured. -#}

{#- Epoch milliseconds (LaunchDarkly's creationDate, date, lastModified) → UTC timestamp. -#}
{% macro epoch_ms_to_timestamp(ms_expr) -%}
    {{- return(adapter.dispatch('epoch_ms_to_timestamp', 'streamgauge')(ms_expr)) -}}
{%- endmacro %}

{% macro duckdb__epoch_ms_to_timestamp(ms_expr) -%}
    make_timestamp(cast({{ ms_expr }} as bigint) * 1000)
{%- endmacro %}

{% macro default__epoch_ms_to_timestamp(ms_expr) -%}
    (to_timestamp(cast({{ ms_expr }} as double precision) / 1000.0) at time zone 'UTC')
{%- endmacro %}

{#- A lateral FROM item with one row per member of the JSON object at `path` (keys given as a
    list, so they may contain dots): `entry_key` (text) and `entry_value` (JSON). -#}
{% macro json_object_entries_join(json_expr, keys, alias) -%}
    {{- return(adapter.dispatch('json_object_entries_join', 'streamgauge')(json_expr, keys, alias)) -}}
{%- endmacro %}

{#- DuckDB: the object as a MAP, unnested in a select list (see duckdb__json_array_elements_join). -#}
{% macro duckdb__json_object_entries_join(json_expr, keys, alias) -%}
    cross join lateral (
        select members.entry.key as entry_key, members.entry.value as entry_value
        from (
            select unnest(map_entries(json_transform(
                json_extract({{ json_expr }}, '${% for key in keys %}."{{ key }}"{% endfor %}'),
                '"MAP(VARCHAR, JSON)"'
            ))) as entry
        ) as members
    ) as {{ alias }}
{%- endmacro %}

{% macro default__json_object_entries_join(json_expr, keys, alias) -%}
    cross join lateral (
        select e.key as entry_key, e.value as entry_value
        from jsonb_each(({{ json_expr }})::jsonb #> '{ {{- keys | join(',') -}} }') as e
    ) as {{ alias }}
{%- endmacro %}

{#- The text list at `keys` (a list of object keys, dots allowed) of a JSON value; empty when absent.
    LaunchDarkly's custom properties are keyed like `jira.issues`. -#}
{% macro json_text_list_at(json_expr, keys) -%}
    {{- return(adapter.dispatch('json_text_list_at', 'streamgauge')(json_expr, keys)) -}}
{%- endmacro %}

{% macro duckdb__json_text_list_at(json_expr, keys) -%}
    coalesce(json_extract_string({{ json_expr }}, '${% for key in keys %}."{{ key }}"{% endfor %}[*]'), []::varchar[])
{%- endmacro %}

{% macro default__json_text_list_at(json_expr, keys) -%}
    array(select jsonb_array_elements_text(
        coalesce(({{ json_expr }})::jsonb #> '{ {{- keys | join(',') -}} }', '[]'::jsonb)))
{%- endmacro %}

{#- The serving share (0–100) of a LaunchDarkly environment configuration (JSON): 0 while `on` is
    false; else the share of the default rule (fallthrough) on variations other than the off
    variation — 100 or 0 for a fixed variation, 100 × (Σ weights − weight of the off variation) ÷
    Σ weights for a percentage rollout. Targets and rules are not counted. -#}
{% macro launchdarkly_serving_pct(env_json) -%}
    {{- return(adapter.dispatch('launchdarkly_serving_pct', 'streamgauge')(env_json)) -}}
{%- endmacro %}

{% macro duckdb__launchdarkly_serving_pct(env_json) -%}
    case
        when not coalesce(try_cast(json_extract_string({{ env_json }}, '$.on') as boolean), false) then 0.0
        when json_extract_string({{ env_json }}, '$.fallthrough.variation') is not null then
            case
                when try_cast(json_extract_string({{ env_json }}, '$.fallthrough.variation') as integer)
                    = try_cast(json_extract_string({{ env_json }}, '$.offVariation') as integer) then 0.0
                else 100.0
            end
        when json_extract({{ env_json }}, '$.fallthrough.rollout.variations') is not null then
            100.0 * list_sum(list_transform(
                from_json(json_extract({{ env_json }}, '$.fallthrough.rollout.variations'),
                          '[{"variation": "INTEGER", "weight": "DOUBLE"}]'),
                lambda w: case
                    when w.variation = try_cast(json_extract_string({{ env_json }}, '$.offVariation') as integer)
                        then 0.0
                    else w.weight
                end))
            / nullif(list_sum(list_transform(
                from_json(json_extract({{ env_json }}, '$.fallthrough.rollout.variations'),
                          '[{"variation": "INTEGER", "weight": "DOUBLE"}]'),
                lambda w: w.weight)), 0)
    end
{%- endmacro %}

{% macro default__launchdarkly_serving_pct(env_json) -%}
    case
        when not coalesce((({{ env_json }})::jsonb ->> 'on')::boolean, false) then 0.0
        when ({{ env_json }})::jsonb #>> '{fallthrough,variation}' is not null then
            case
                when (({{ env_json }})::jsonb #>> '{fallthrough,variation}')::integer
                    = (({{ env_json }})::jsonb ->> 'offVariation')::integer then 0.0
                else 100.0
            end
        when ({{ env_json }})::jsonb #> '{fallthrough,rollout,variations}' is not null then (
            select case when sum((v ->> 'weight')::double precision) > 0 then 100.0 * sum(case
                        when (v ->> 'variation')::integer = (({{ env_json }})::jsonb ->> 'offVariation')::integer
                            then 0.0 else (v ->> 'weight')::double precision end)
                    / sum((v ->> 'weight')::double precision) end
            from jsonb_array_elements(({{ env_json }})::jsonb #> '{fallthrough,rollout,variations}') as v
        )
    end
{%- endmacro %}

{#- Net Promoter Score (−100 … 100) and its standard error from counts (NULL when n = 0):
    SE = 100 · sqrt((p_P + p_D − (p_P − p_D)²) / n). -#}
{% macro nps_score(n, promoters, detractors) -%}
    case when {{ n }} > 0 then 100.0 * ({{ promoters }} - {{ detractors }}) / {{ n }} end
{%- endmacro %}

{% macro nps_standard_error(n, promoters, detractors) -%}
    case when {{ n }} > 0 then 100.0 * sqrt(greatest(
        (1.0 * {{ promoters }} / {{ n }}) + (1.0 * {{ detractors }} / {{ n }})
        - power((1.0 * {{ promoters }} / {{ n }}) - (1.0 * {{ detractors }} / {{ n }}), 2), 0.0) / {{ n }}) end
{%- endmacro %}
