{#- Flags ↔ flow items, with the credit each item gets of the flag's outcome. A flag serves the flow
    items whose keys — any key the item has had (moves between projects included, through Jira's
    `Key` changelog items) — its customProperties."jira.issues" lists (link_source custom_property)
    or a flag_issue_links seed row of its source (or `*`) names (mapping_seed). Credit: a flag
    serving one item gives it all (sole); several items share by the credit_weight each declares
    (declared_values) when every one of them declares one above 0 (declared_weight), else evenly
    (even). -#}
with flags as (
    select * from {{ ref('stg_launchdarkly__flags') }}
),

flow_items as (
    select flow_item_id, source, issue_id, issue_key from {{ ref('int_flow_items_measured') }}
),

key_history as (
    select items.source, items.issue_id, items.from_string as issue_key
    from {{ ref('stg_jira__changelog_items') }} as items
    where lower(items.field) = 'key' and items.from_string is not null
    union
    select items.source, items.issue_id, items.to_string as issue_key
    from {{ ref('stg_jira__changelog_items') }} as items
    where lower(items.field) = 'key' and items.to_string is not null
),

known_keys as (
    select flow_item_id, upper(issue_key) as issue_key from flow_items
    union
    select flow_items.flow_item_id, upper(key_history.issue_key) as issue_key
    from key_history
    inner join flow_items
        on flow_items.source = key_history.source
        and flow_items.issue_id = key_history.issue_id
),

named as (
    select flags.source, flags.flag_id, flags.project_key, flags.flag_key,
           upper(trim(keys.element)) as issue_key, 'custom_property' as link_source, 1 as preference
    from flags
    {{ streamgauge.list_elements_join('flags.jira_issue_keys', 'keys') }}
    union all
    select flags.source, flags.flag_id, flags.project_key, flags.flag_key,
           upper(trim(seed.issue_key)) as issue_key, 'mapping_seed' as link_source, 2 as preference
    from {{ ref('flag_issue_links') }} as seed
    inner join flags
        on flags.flag_key = trim(seed.flag_key)
        and (seed.source is null or trim(seed.source) in ('', '*') or trim(seed.source) = flags.source)
),

matched as (
    select
        named.source,
        named.flag_id,
        named.project_key,
        named.flag_key,
        known_keys.flow_item_id,
        named.issue_key as matched_key,
        named.link_source,
        row_number() over (
            partition by named.source, named.flag_id, known_keys.flow_item_id
            order by named.preference, named.issue_key) as link_rank
    from named
    inner join known_keys
        on known_keys.issue_key = named.issue_key
),

links as (
    select
        matched.*,
        flow_items.issue_key,
        declared.credit_weight
    from matched
    inner join flow_items
        on flow_items.flow_item_id = matched.flow_item_id
    left join {{ ref('stg_product_files__declared_values') }} as declared
        on declared.issue_key = upper(flow_items.issue_key)
    where matched.link_rank = 1
),

shared as (
    select
        links.*,
        count(*) over (partition by source, flag_id) as items_sharing,
        sum(case when credit_weight > 0 then 1 else 0 end) over (partition by source, flag_id) as items_weighted,
        sum(case when credit_weight > 0 then credit_weight else 0 end) over (partition by source, flag_id) as total_weight
    from links
)

select
    source as flag_source,
    flag_id,
    project_key,
    flag_key,
    flow_item_id,
    issue_key,
    matched_key,
    link_source,
    cast(items_sharing as integer) as items_sharing,
    credit_weight as declared_credit_weight,
    case
        when items_sharing = 1 then 1.0
        when items_weighted = items_sharing then credit_weight / total_weight
        else 1.0 / items_sharing
    end as credit_share,
    case
        when items_sharing = 1 then 'sole'
        when items_weighted = items_sharing then 'declared_weight'
        else 'even'
    end as credit_method
from shared
