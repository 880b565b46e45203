{#- Time handling. Every stored timestamp is a UTC `timestamp` (no time zone). -#}

{#- An ISO-8601 text with an offset ('2026-05-03T10:15:30.123+0200', '...Z', '...+05:30') → UTC timestamp. -#}
{% macro iso_to_utc_timestamp(text_expr) -%}
    {{- return(adapter.dispatch('iso_to_utc_timestamp', 'streamgauge')(text_expr)) -}}
{%- endmacro %}

{% macro duckdb__iso_to_utc_timestamp(text_expr) -%}
    (cast({{ text_expr }} as timestamptz) at time zone 'UTC')
{%- endmacro %}

{% macro default__iso_to_utc_timestamp(text_expr) -%}
    (cast({{ text_expr }} as timestamp with time zone) at time zone 'UTC')
{%- endmacro %}

{#- The local date, in time zone `tz` (an IANA name, rendered as a literal), of a UTC timestamp. -#}
{% macro utc_to_local_date(ts_expr, tz) -%}
    {{- return(adapter.dispatch('utc_to_local_date', 'streamgauge')(ts_expr, tz)) -}}
{%- endmacro %}

{% macro duckdb__utc_to_local_date(ts_expr, tz) -%}
    cast(({{ ts_expr }} at time zone 'UTC') at time zone '{{ tz }}' as date)
{%- endmacro %}

{% macro default__utc_to_local_date(ts_expr, tz) -%}
    cast(({{ ts_expr }} at time zone 'UTC') at time zone '{{ tz }}' as date)
{%- endmacro %}

{#- Exact elapsed hours between two timestamps (microsecond precision, may be negative).
    Not dbt.datediff: that counts unit boundaries crossed, not elapsed time. -#}
{% macro hours_between(start_expr, end_expr) -%}
    {{- return(adapter.dispatch('hours_between', 'streamgauge')(start_expr, end_expr)) -}}
{%- endmacro %}

{% macro duckdb__hours_between(start_expr, end_expr) -%}
    (cast(epoch_us({{ end_expr }}) - epoch_us({{ start_expr }}) as double) / 3600000000.0)
{%- endmacro %}

{% macro default__hours_between(start_expr, end_expr) -%}
    (cast(extract(epoch from ({{ end_expr }}) - ({{ start_expr }})) as double precision) / 3600.0)
{%- endmacro %}

{#- Hours of the interval [start, end) that fall inside [lower, upper); 0 when they do not overlap,
    NULL when any bound is NULL. -#}
{% macro clipped_hours(start_expr, end_expr, lower_expr, upper_expr) -%}
    case
        when ({{ start_expr }}) is null or ({{ end_expr }}) is null
          or ({{ lower_expr }}) is null or ({{ upper_expr }}) is null then null
        when least({{ end_expr }}, {{ upper_expr }}) > greatest({{ start_expr }}, {{ lower_expr }})
            then {{ streamgauge.hours_between('greatest(' ~ start_expr ~ ', ' ~ lower_expr ~ ')',
                                              'least(' ~ end_expr ~ ', ' ~ upper_expr ~ ')') }}
        else 0.0
    end
{%- endmacro %}

{#- A UTC timestamp literal from a Python datetime (naive = UTC, aware = converted). -#}
{% macro timestamp_literal(dt) -%}
    {%- if dt.tzinfo is not none -%}
        {%- set dt = dt.astimezone(modules.pytz.utc).replace(tzinfo=none) -%}
    {%- endif -%}
    cast('{{ dt.strftime("%Y-%m-%d %H:%M:%S.%f") }}' as {{ dbt.type_timestamp() }})
{%- endmacro %}

{#- An ISO-8601 text (from a var) → Python datetime in UTC; a date alone means its midnight UTC. -#}
{% macro parse_iso_var(name, text) -%}
    {%- set text = (text | string).strip() -%}
    {%- if text.endswith('Z') or text.endswith('z') -%}{%- set text = text[:-1] ~ '+00:00' -%}{%- endif -%}
    {%- set parsed = none -%}
    {%- if text | length == 10 -%}
        {%- set text = text ~ 'T00:00:00' -%}
    {%- endif -%}
    {%- set parsed = modules.datetime.datetime.fromisoformat(text) -%}
    {%- if parsed.tzinfo is not none -%}
        {%- set parsed = parsed.astimezone(modules.pytz.utc).replace(tzinfo=none) -%}
    {%- endif -%}
    {{- return(parsed) -}}
{%- endmacro %}
