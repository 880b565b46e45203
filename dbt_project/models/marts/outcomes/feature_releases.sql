{#- One row per LaunchDarkly flag and environment: when the flag was first turned on there, when it
    was released — the first audit-log entry after which it served var outcome_release_share_pct
    (default 100) % of the default rule — how often it was released and rolled back (turned off, or
    its rollout reduced), and its state as of as_of. The release environment (var
    outcome_release_environment, default production) is the one item outcomes use. -#}
{%- set share = var('outcome_release_share_pct', 100) | float %}
with environments as (
    select * from {{ ref('stg_launchdarkly__flag_environments') }}
),

flags as (
    select * from {{ ref('stg_launchdarkly__flags') }}
),

states as (
    select * from {{ ref('int_flag_environment_states_reconstructed') }}
),

summary as (
    select
        source,
        flag_id,
        environment_key,
        min(case when is_on then changed_at end) as first_on_at,
        min(case when is_release then changed_at end) as released_at,
        sum(case when is_release then 1 else 0 end) as release_count,
        sum(case when is_rollback then 1 else 0 end) as rollback_count,
        min(case when is_rollback then changed_at end) as first_rollback_at,
        max(changed_at) as last_changed_at,
        count(*) as recorded_states
    from states
    group by source, flag_id, environment_key
),

latest as (
    {{ streamgauge.select_first_per('states', 'source, flag_id, environment_key', 'state_number desc') }}
),

links as (
    select flag_source, flag_id, count(*) as linked_flow_items
    from {{ ref('int_flag_items_linked') }}
    group by flag_source, flag_id
)

select
    {{ dbt.concat(['environments.source', "':'", 'environments.flag_id', "':'", 'environments.environment_key']) }} as feature_release_id,
    environments.source,
    environments.project_key,
    environments.flag_key,
    flags.flag_name,
    environments.environment_key,
    environments.environment_name,
    environments.environment_key = '{{ var("outcome_release_environment", "production") }}' as is_release_environment,
    cast({{ share }} as double precision) as release_share_pct,
    flags.created_at as flag_created_at,
    summary.first_on_at,
    summary.released_at,
    cast(coalesce(summary.release_count, 0) as integer) as release_count,
    cast(coalesce(summary.rollback_count, 0) as integer) as rollback_count,
    summary.first_rollback_at,
    coalesce(latest.is_on, environments.is_on) as current_is_on,
    coalesce(latest.serving_pct, environments.serving_pct) as current_serving_pct,
    summary.released_at is not null and coalesce(latest.serving_pct, environments.serving_pct) < {{ share }} as is_rolled_back,
    summary.last_changed_at,
    cast(coalesce(summary.recorded_states, 0) as integer) as recorded_states,
    summary.released_at is null and environments.serving_pct >= {{ share }} as is_release_unrecorded,
    cast(coalesce(links.linked_flow_items, 0) as integer) as linked_flow_items,
    {{ streamgauge.as_of() }} as as_of
from environments
inner join flags
    on flags.source = environments.source
    and flags.flag_id = environments.flag_id
left join summary
    on summary.source = environments.source
    and summary.flag_id = environments.flag_id
    and summary.environment_key = environments.environment_key
left join latest
    on latest.source = environments.source
    and latest.flag_id = environments.flag_id
    and latest.environment_key = environments.environment_key
left join links
    on links.flag_source = environments.source
    and links.flag_id = environments.flag_id
