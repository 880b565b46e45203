{#- Dates the flow analytics marts share, computed once at compile time from as_of and var
    reporting_timezone, so every model (and the tests) agree on them. -#}

{#- The local date (Python date) of as_of in var reporting_timezone. -#}
{% macro as_of_local_date() -%}
    {%- set zone = modules.pytz.timezone(var('reporting_timezone', 'UTC')) -%}
    {%- set as_of_utc = modules.pytz.utc.localize(streamgauge.as_of_datetime()) -%}
    {{- return(as_of_utc.astimezone(zone).date()) -}}
{%- endmacro %}

{#- Local midnight at the start of a local (Python) date, as a naive UTC datetime. -#}
{% macro local_midnight_utc_datetime(day) -%}
    {%- set zone = modules.pytz.timezone(var('reporting_timezone', 'UTC')) -%}
    {%- set local_midnight = zone.localize(modules.datetime.datetime(day.year, day.month, day.day)) -%}
    {{- return(local_midnight.astimezone(modules.pytz.utc).replace(tzinfo=none)) -}}
{%- endmacro %}

{#- A SQL date literal from a Python date. -#}
{% macro date_literal(day) -%}
    cast('{{ day.isoformat() }}' as date)
{%- endmacro %}

{#- The flow analytics window: the flow_analytics_window_days full local days before the local
    date of as_of. Returns Python values {start_date, end_date (exclusive), days} and SQL literals
    {start_at, end_at} (the local midnights that bound it, in UTC). -#}
{% macro flow_analytics_window() -%}
    {%- set days = var('flow_analytics_window_days', 90) | int -%}
    {%- if days < 1 -%}
        {{- exceptions.raise_compiler_error('var flow_analytics_window_days must be at least 1') -}}
    {%- endif -%}
    {%- set end_date = streamgauge.as_of_local_date() -%}
    {%- set start_date = end_date - modules.datetime.timedelta(days=days) -%}
    {{- return({
        'start_date': start_date,
        'end_date': end_date,
        'days': days,
        'start_at': streamgauge.timestamp_literal(streamgauge.local_midnight_utc_datetime(start_date)),
        'end_at': streamgauge.timestamp_literal(streamgauge.local_midnight_utc_datetime(end_date)),
    }) -}}
{%- endmacro %}

{#- The forecast's dates: the first forecast day (the local date of as_of), the target date of the
    "how many" question (var forecast_target_date, else forecast_horizon_days days on; inclusive)
    and the horizon in days. -#}
{% macro forecast_dates() -%}
    {%- set start_date = streamgauge.as_of_local_date() -%}
    {%- set target_var = var('forecast_target_date', none) -%}
    {%- if target_var is not none and (target_var | string | trim) not in ('', 'None', 'null') -%}
        {%- set target_date = modules.datetime.date.fromisoformat(target_var | string | trim) -%}
    {%- else -%}
        {%- set target_date = start_date + modules.datetime.timedelta(days=(var('forecast_horizon_days', 28) | int) - 1) -%}
    {%- endif -%}
    {%- set horizon_days = (target_date - start_date).days + 1 -%}
    {%- if horizon_days < 1 -%}
        {{- exceptions.raise_compiler_error('forecast target date ' ~ target_date ~ ' is before the as_of date ' ~ start_date) -}}
    {%- endif -%}
    {{- return({'start_date': start_date, 'target_date': target_date, 'horizon_days': horizon_days}) -}}
{%- endmacro %}

{#- The stream rollup: every row of an item-level relation counts for its own value stream and for
    'all'. Use as `cross join ({{ streamgauge.stream_rollup() }}) as rollup` and then
    `case when rollup.is_total then 'all' else <stream column> end`. -#}
{% macro stream_rollup() -%}
    select false as is_total union all select true as is_total
{%- endmacro %}
