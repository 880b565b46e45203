{#- Generic data tests of the flow analytics marts. Each returns the failing rows. -#}

{#- The dates in `column_name` form a gap-free calendar spine within every `group_by` group:
    consecutive days, ISO weeks or months from the first to the last. The grain is `grain`
    ('day', 'week', 'month'), or read per row from `grain_column`. -#}
{% test gap_free_periods(model, column_name, group_by=[], grain='day', grain_column=none) %}
{%- set grain_expr = grain_column if grain_column else "'" ~ grain ~ "'" %}
{%- set keys = group_by + ([grain_column] if grain_column else []) %}
with per_group as (
    select
        {% for key in keys %}{{ key }}, {% endfor %}
        {{ grain_expr }} as spine_grain,
        min({{ column_name }}) as first_period,
        max({{ column_name }}) as last_period,
        count(distinct {{ column_name }}) as period_count
    from {{ model }}
    {%- if keys %}
    group by {{ keys | join(', ') }}
    {%- endif %}
)
select *
from per_group
where period_count <> case spine_grain
        when 'day' then {{ dbt.datediff('first_period', 'last_period', 'day') }} + 1
        when 'week' then {{ dbt.datediff('first_period', 'last_period', 'day') }} / 7 + 1
        when 'month' then {{ dbt.datediff('first_period', 'last_period', 'month') }} + 1
    end
{% endtest %}

{#- `column_name` equals the sum of `sum_column` over the rows of `other` that share the `keys`
    (within `tolerance`); rows of the model without such rows must be 0. Ties two marts that show
    the same figure at different grains. -#}
{% test equals_sum_of(model, column_name, other, sum_column, keys, tolerance=0.000001, where_sql=none, other_where_sql=none) %}
with totals as (
    select {{ keys | join(', ') }}, sum({{ sum_column }}) as other_total
    from {{ other }}
    {%- if other_where_sql %}
    where {{ other_where_sql }}
    {%- endif %}
    group by {{ keys | join(', ') }}
)
select model_rows.*, totals.other_total
from {{ model }} as model_rows
left join totals
    on {% for key in keys %}{% if not loop.first %} and {% endif %}totals.{{ key }} = model_rows.{{ key }}{% endfor %}
where abs(coalesce(model_rows.{{ column_name }}, 0) - coalesce(totals.other_total, 0)) > {{ tolerance }}
{%- if where_sql %}
    and ({{ where_sql }})
{%- endif %}
{% endtest %}
