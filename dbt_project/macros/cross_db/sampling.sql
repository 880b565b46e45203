{#- Deterministic sampling and discrete order statistics (Monte Carlo forecasts). -#}

{#- An integer in [0, buckets) from a text: the first 32 bits of its MD5 digest modulo `buckets`
    (a SQL expression). Stable across databases, versions and runs (never random()); Python's
    int(hashlib.md5(text.encode()).hexdigest()[:8], 16) % buckets gives the same number. -#}
{% macro hash_bucket(text_expr, buckets_expr) -%}
    {{- return(adapter.dispatch('hash_bucket', 'streamgauge')(text_expr, buckets_expr)) -}}
{%- endmacro %}

{% macro duckdb__hash_bucket(text_expr, buckets_expr) -%}
    cast(cast('0x' || substr(md5({{ text_expr }}), 1, 8) as bigint) % ({{ buckets_expr }}) as integer)
{%- endmacro %}

{% macro default__hash_bucket(text_expr, buckets_expr) -%}
    cast(cast(cast('x' || substr(md5({{ text_expr }}), 1, 8) as bit(32)) as bigint) % ({{ buckets_expr }}) as integer)
{%- endmacro %}

{#- The nearest-rank p-quantile (an observed value: the value at rank ceil(p·n) in ascending
    order, rank 1 at least). DuckDB: quantile_disc; default: percentile_disc. -#}
{% macro quantile_nearest_rank(expr, p) -%}
    {{- return(adapter.dispatch('quantile_nearest_rank', 'streamgauge')(expr, p)) -}}
{%- endmacro %}

{% macro duckdb__quantile_nearest_rank(expr, p) -%}quantile_disc({{ expr }}, {{ p }}){%- endmacro %}

{% macro default__quantile_nearest_rank(expr, p) -%}percentile_disc({{ p }}) within group (order by {{ expr }}){%- endmacro %}
