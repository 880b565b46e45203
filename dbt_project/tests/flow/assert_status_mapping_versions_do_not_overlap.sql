{{ config(store_failures=true, meta={'dagster': {'ref': {'name': 'status_flow_mapping'}}}) }}
{#- Two rows of status_flow_mapping for the same source and status must not both apply on the
    same date: versions are [valid_from, valid_to) (open-ended when empty) and must not overlap. -#}
with rules as (
    select
        status_flow_mapping.*,
        row_number() over (order by source, status_id, valid_from, valid_to, flow_state, stage) as rule_number
    from {{ ref('status_flow_mapping') }} as status_flow_mapping
)

select
    a.source,
    a.status_id,
    a.valid_from as first_valid_from,
    a.valid_to as first_valid_to,
    b.valid_from as second_valid_from,
    b.valid_to as second_valid_to
from rules as a
inner join rules as b
    on a.source = b.source
    and a.status_id = b.status_id
    and a.rule_number < b.rule_number
where (a.valid_to is null or b.valid_from is null or a.valid_to > b.valid_from)
    and (b.valid_to is null or a.valid_from is null or b.valid_to > a.valid_from)
