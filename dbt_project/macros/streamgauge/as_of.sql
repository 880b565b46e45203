{#- The run's fixed "now", as a UTC timestamp literal: var `as_of` (ISO-8601; UTC when it carries
    no offset) when given, else dbt's run_started_at. SQL never calls now(), so a re-run with the
    same as_of gives the same figures. -#}
{% macro as_of() -%}
    {{- streamgauge.timestamp_literal(streamgauge.as_of_datetime()) -}}
{%- endmacro %}

{% macro as_of_datetime() -%}
    {%- set configured = var('as_of', none) -%}
    {%- if configured is not none and (configured | string | trim) not in ('', 'None', 'null') -%}
        {{- return(streamgauge.parse_iso_var('as_of', configured)) -}}
    {%- else -%}
        {{- return(run_started_at.astimezone(modules.pytz.utc).replace(tzinfo=none)) -}}
    {%- endif -%}
{%- endmacro %}

{#- The window of lead_time_by_stage: [start, end) as UTC timestamp literals. end = var
    lead_time_window_end or as_of; start = var lead_time_window_start or end − lead_time_window_days. -#}
{% macro lead_time_window() -%}
    {%- set end_var = var('lead_time_window_end', none) -%}
    {%- set start_var = var('lead_time_window_start', none) -%}
    {%- if end_var is not none and (end_var | string | trim) not in ('', 'None', 'null') -%}
        {%- set window_end = streamgauge.parse_iso_var('lead_time_window_end', end_var) -%}
    {%- else -%}
        {%- set window_end = streamgauge.as_of_datetime() -%}
    {%- endif -%}
    {%- if start_var is not none and (start_var | string | trim) not in ('', 'None', 'null') -%}
        {%- set window_start = streamgauge.parse_iso_var('lead_time_window_start', start_var) -%}
    {%- else -%}
        {%- set window_start = window_end - modules.datetime.timedelta(days=(var('lead_time_window_days', 90) | int)) -%}
    {%- endif -%}
    {{- return({'start': streamgauge.timestamp_literal(window_start), 'end': streamgauge.timestamp_literal(window_end)}) -}}
{%- endmacro %}

{#- The history horizon of a source as a UTC timestamp literal, or none. Var `history_horizons`
    maps source name → ISO date/timestamp before which the source's history is not available. -#}
{% macro history_horizon_case(source_expr) -%}
    {%- set horizons = var('history_horizons', {}) or {} -%}
    {%- if horizons | length == 0 -%}
        cast(null as {{ dbt.type_timestamp() }})
    {%- else -%}
        case {{ source_expr }}
        {%- for source_name, horizon in horizons.items() %}
            when '{{ source_name | replace("'", "''") }}' then {{ streamgauge.timestamp_literal(streamgauge.parse_iso_var('history_horizons', horizon)) }}
        {%- endfor %}
        end
    {%- endif -%}
{%- endmacro %}
