{#- One row per flow item and feature flag that serves it (int_flag_items_linked): how they are
    linked, the item's credit share of the flag's outcome, and the flag's release (release
    environment, production by default). -#}
with links as (
    select * from {{ ref('int_flag_items_linked') }}
),

releases as (
    select * from {{ ref('feature_releases') }}
    where is_release_environment
)

select
    {{ dbt.concat(['links.flow_item_id', "'|'", 'links.flag_source', "':'", 'links.flag_id']) }} as flow_item_flag_id,
    links.flow_item_id,
    links.issue_key,
    links.flag_source,
    links.project_key,
    links.flag_key,
    releases.flag_name,
    links.link_source,
    links.matched_key,
    links.items_sharing,
    links.declared_credit_weight,
    links.credit_share,
    links.credit_method,
    releases.released_at,
    releases.rollback_count,
    releases.is_rolled_back
from links
left join releases
    on releases.source = links.flag_source
    and releases.project_key = links.project_key
    and releases.flag_key = links.flag_key
