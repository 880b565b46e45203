{#- Generic data tests (dbt packages are not available; these are our own). Each returns the
    failing rows. -#}

{#- Every row satisfies the SQL boolean `expression` (rows where it is NULL pass). -#}
{% test expression_is_true(model, expression, where_sql=none) %}
select *
from {{ model }}
where not ({{ expression }})
{%- if where_sql %} and ({{ where_sql }}){% endif %}
{% endtest %}

{#- The column is never negative (NULLs pass). -#}
{% test not_negative(model, column_name) %}
select *
from {{ model }}
where {{ column_name }} < 0
{% endtest %}

{#- The column lies in [min_value, max_value] (NULLs pass; either bound may be omitted). -#}
{% test accepted_range(model, column_name, min_value=none, max_value=none) %}
select *
from {{ model }}
where {{ column_name }} is not null and (
    1 = 0
    {%- if min_value is not none %} or {{ column_name }} < {{ min_value }}{% endif %}
    {%- if max_value is not none %} or {{ column_name }} > {{ max_value }}{% endif %}
)
{% endtest %}

{#- The combination of `columns` is a key: unique, and none of its columns NULL except those
    listed in `nullable` (for example the optional ends of a link). -#}
{% test unique_combination_of_columns(model, columns, nullable=[]) %}
{%- set required = columns | reject('in', nullable) | list %}
select {{ columns | join(', ') }}, count(*) as row_count
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{%- if required %}
union all
select {{ columns | join(', ') }}, 1 as row_count
from {{ model }}
where {% for column in required %}{% if not loop.first %} or {% endif %}{{ column }} is null{% endfor %}
{%- endif %}
{% endtest %}

{#- `column_name` is NULL exactly when `condition` holds (a "NULL when skipped" contract). -#}
{% test null_when(model, column_name, condition) %}
select *
from {{ model }}
where ({{ column_name }} is null) <> coalesce(({{ condition }}), false)
{% endtest %}

{#- At most one row per `group_by` columns satisfies `condition` (e.g. one open interval per item). -#}
{% test at_most_one_per(model, group_by, condition) %}
select {{ group_by | join(', ') }}, count(*) as row_count
from {{ model }}
where {{ condition }}
group by {{ group_by | join(', ') }}
having count(*) > 1
{% endtest %}
