{#- Join conditions shared by the models that apply the mapping seeds and the data tests that list
    what they cannot map. -#}

{#- A status_flow_mapping row `rule` applies to the status interval `interval`: same status id,
    the interval's source or `*`, entered in [valid_from, valid_to) (open-ended when empty). -#}
{% macro status_rule_applies(interval, rule) -%}
    ({{ rule }}.source = {{ interval }}.source or {{ rule }}.source = '*')
    and {{ rule }}.status_id = {{ interval }}.status_id
    and ({{ rule }}.valid_from is null
         or {{ interval }}.entered_at >= cast({{ rule }}.valid_from as {{ dbt.type_timestamp() }}))
    and ({{ rule }}.valid_to is null
         or {{ interval }}.entered_at < cast({{ rule }}.valid_to as {{ dbt.type_timestamp() }}))
{%- endmacro %}

{#- Which applicable status rule wins: source-specific before `*`, then the latest valid_from. -#}
{% macro status_rule_preference(rule) -%}
    case when {{ rule }}.source = '*' then 1 else 0 end, {{ rule }}.valid_from desc nulls last
{%- endmacro %}

{#- An issue_type_mapping type row `rule` (label empty) applies to the type interval `interval`
    (columns source, issue_type_id, issue_type_name, issue_type_untranslated_name,
    issue_type_name_at_time): same id when the rule names one, else the same name ignoring case. -#}
{% macro issue_type_rule_applies(interval, rule) -%}
    ({{ rule }}.source = {{ interval }}.source or {{ rule }}.source = '*')
    and (
        {{ rule }}.issue_type_id = {{ interval }}.issue_type_id
        or (
            {{ rule }}.issue_type_id is null
            and lower({{ rule }}.issue_type_name) in (
                lower({{ interval }}.issue_type_name),
                lower({{ interval }}.issue_type_untranslated_name),
                lower({{ interval }}.issue_type_name_at_time)
            )
        )
    )
{%- endmacro %}

{#- Which applicable type rule wins: source-specific before `*`, then an id match before a name match. -#}
{% macro issue_type_rule_preference(rule) -%}
    case when {{ rule }}.source = '*' then 1 else 0 end,
    case when {{ rule }}.issue_type_id is not null then 0 else 1 end
{%- endmacro %}
