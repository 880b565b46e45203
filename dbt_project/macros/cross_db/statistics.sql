{#- Order statistics. Which median a column holds is part of its contract:

    * median_cont: the interpolated median (the mean of the two middle values for an even n);
      DuckDB's `median`, PostgreSQL's percentile_cont(0.5).
    * median_lower: the lower median (the smaller middle value for an even n, an observed value);
      what DevLake's dashboards compute (max over percent_rank <= 0.5). DuckDB's quantile_disc(0.5),
      PostgreSQL's percentile_disc(0.5).
    * quantile_cont: the interpolated p-quantile (p85 = quantile_cont(x, 0.85)). -#}

{% macro median_cont(expr) -%}
    {{- return(adapter.dispatch('median_cont', 'streamgauge')(expr)) -}}
{%- endmacro %}

{% macro duckdb__median_cont(expr) -%}median({{ expr }}){%- endmacro %}

{% macro default__median_cont(expr) -%}percentile_cont(0.5) within group (order by {{ expr }}){%- endmacro %}

{% macro median_lower(expr) -%}
    {{- return(adapter.dispatch('median_lower', 'streamgauge')(expr)) -}}
{%- endmacro %}

{% macro duckdb__median_lower(expr) -%}quantile_disc({{ expr }}, 0.5){%- endmacro %}

{% macro default__median_lower(expr) -%}percentile_disc(0.5) within group (order by {{ expr }}){%- endmacro %}

{% macro quantile_cont(expr, p) -%}
    {{- return(adapter.dispatch('quantile_cont', 'streamgauge')(expr, p)) -}}
{%- endmacro %}

{% macro duckdb__quantile_cont(expr, p) -%}quantile_cont({{ expr }}, {{ p }}){%- endmacro %}

{% macro default__quantile_cont(expr, p) -%}percentile_cont({{ p }}) within group (order by {{ expr }}){%- endmacro %}
