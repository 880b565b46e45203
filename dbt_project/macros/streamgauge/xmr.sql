{#- The side of the centre line a value lies on in an XmR chart: 1 above, -1 below, 0 on it (within
    a relative tolerance of 1e-9, so a mean that floating point puts a hair off an equal value does
    not start a run). -#}
{% macro xmr_side(value_expr, centre_expr) -%}
    case
        when {{ value_expr }} > {{ centre_expr }} + 0.000000001 * (1 + abs({{ centre_expr }})) then 1
        when {{ value_expr }} < {{ centre_expr }} - 0.000000001 * (1 + abs({{ centre_expr }})) then -1
        else 0
    end
{%- endmacro %}
