{#- One row per flow item: did what we shipped matter? (SPEC §5; DEVELOPERS.md, "Outcome definitions
    we chose".)

    * Release: an item behind flags is released when the first of them is released in the release
      environment (feature_releases) — deploy ≠ release, an item deployed dark has no value until
      then; an item without a flag is released by its first production deployment.
    * Per flag, once released: 30-day adoption after release from the usage export, else the
      hand-built feature_usage.csv row of the flag key; NPS delta from the survey (nps), else that
      row's nps_gain. The item's adoption_pct and nps_delta are the means over its flags; with no
      flag figure, the feature_usage.csv row of its issue key.
    * credited_adoption_points = Σ over its flags of credit_share × adoption (flow_item_flags), the
      feature_usage.csv row of its issue key counting whole; roi_per_hour = credited adoption points
      ÷ lead-time hours (the tutorial's adoption_pct / lead_hours), ranked (roi_rank, and ROI
      quartiles) unless the adoption sample is small.
    * Declared value and cost of delay (declared_values, by current issue key):
      value_per_active_hour_usd = value ÷ active hours (released items), delay_cost_incurred_usd =
      cost of delay per week × flow time in weeks, CD3 = cost of delay per week ÷ flow time in
      weeks. -#}
{%- set release_env = var('outcome_release_environment', 'production') %}
with items as (
    select * from {{ ref('flow_items') }}
),

links as (
    select * from {{ ref('int_flag_items_linked') }}
),

releases as (
    select * from {{ ref('feature_releases') }}
    where is_release_environment
),

windows as (
    select * from {{ ref('int_feature_adoption_windows_computed') }}
    where window_days = 30
),

nps as (
    select * from {{ ref('nps') }}
    where scope = 'feature'
),

hand_built as (
    select * from {{ ref('stg_product_files__feature_usage') }}
),

declared as (
    select * from {{ ref('stg_product_files__declared_values') }}
),

flag_figures as (
    select
        links.flow_item_id,
        links.flag_key,
        links.credit_share,
        links.credit_method,
        releases.released_at,
        coalesce(releases.rollback_count, 0) as rollback_count,
        case
            when releases.released_at is null then null
            when windows.adoption_pct is not null then windows.adoption_pct
            else hand_built.adoption_pct
        end as adoption_pct,
        case
            when releases.released_at is null then null
            when windows.adoption_pct is not null then 'usage_export'
            when hand_built.adoption_pct is not null then 'feature_usage_csv'
        end as adoption_source,
        case when releases.released_at is not null and windows.adoption_pct is not null
            then windows.eligible_user_days end as eligible_user_days,
        coalesce(releases.released_at is not null and windows.adoption_pct is not null
                 and windows.is_small_sample, false) as adoption_is_small_sample,
        case
            when releases.released_at is null then null
            when nps.nps_delta is not null then nps.nps_delta
            else hand_built.nps_gain
        end as nps_delta,
        case
            when releases.released_at is null then null
            when nps.nps_delta is not null then 'survey'
            when hand_built.nps_gain is not null then 'feature_usage_csv'
        end as nps_source,
        coalesce(releases.released_at is not null and nps.nps_delta is not null and nps.is_small_sample, false)
            as nps_is_small_sample
    from links
    left join releases
        on releases.source = links.flag_source
        and releases.project_key = links.project_key
        and releases.flag_key = links.flag_key
    left join windows
        on windows.feature_key = links.flag_key
    left join nps
        on nps.feature_key = links.flag_key
    left join hand_built
        on hand_built.feature_key = links.flag_key
),

methods as (
    select flow_item_id, {{ dbt.listagg('credit_method', "', '", 'order by credit_method') }} as credit_method
    from (select distinct flow_item_id, credit_method from flag_figures) as distinct_methods
    group by flow_item_id
),

per_item as (
    select
        flow_item_id,
        count(*) as flag_count,
        {{ dbt.listagg('flag_key', "', '", 'order by flag_key') }} as flag_keys,
        min(released_at) as flag_released_at,
        max(rollback_count) > 0 as has_rollback,
        count(adoption_pct) as adoption_figures,
        avg(adoption_pct) as adoption_pct,
        sum(credit_share * adoption_pct) as credited_adoption_points,
        min(adoption_source) as min_adoption_source,
        max(adoption_source) as max_adoption_source,
        sum(eligible_user_days) as eligible_user_days,
        max(case when adoption_is_small_sample then 1 else 0 end) = 1 as adoption_is_small_sample,
        count(nps_delta) as nps_figures,
        avg(nps_delta) as nps_delta,
        min(nps_source) as min_nps_source,
        max(nps_source) as max_nps_source,
        max(case when nps_is_small_sample then 1 else 0 end) = 1 as nps_is_small_sample,
        avg(credit_share) as credit_share
    from flag_figures
    group by flow_item_id
),

released as (
    select
        items.*,
        coalesce(per_item.flag_count, 0) as flag_count,
        per_item.flag_keys,
        case
            when per_item.flag_count > 0 then 'flag'
            when items.first_deployed_at is not null then 'deployment'
        end as release_source,
        case when per_item.flag_count > 0 then per_item.flag_released_at else items.first_deployed_at end as released_at,
        coalesce(per_item.has_rollback, false) as has_rollback,
        per_item.adoption_figures,
        per_item.adoption_pct as flags_adoption_pct,
        per_item.credited_adoption_points as flags_credited_adoption_points,
        case when per_item.min_adoption_source = per_item.max_adoption_source
            then per_item.min_adoption_source else 'mixed' end as flags_adoption_source,
        per_item.eligible_user_days,
        coalesce(per_item.adoption_is_small_sample, false) as adoption_is_small_sample,
        per_item.nps_figures,
        per_item.nps_delta as flags_nps_delta,
        case when per_item.min_nps_source = per_item.max_nps_source
            then per_item.min_nps_source else 'mixed' end as flags_nps_source,
        coalesce(per_item.nps_is_small_sample, false) as nps_is_small_sample,
        per_item.credit_share,
        methods.credit_method,
        own.adoption_pct as own_adoption_pct,
        own.nps_gain as own_nps_gain,
        declared.value_usd as declared_value_usd,
        declared.cost_of_delay_usd_per_week
    from items
    left join per_item
        on per_item.flow_item_id = items.flow_item_id
    left join methods
        on methods.flow_item_id = items.flow_item_id
    left join hand_built as own
        on upper(own.feature_key) = upper(items.issue_key)
    left join declared
        on declared.issue_key = upper(items.issue_key)
),

valued as (
    select
        released.*,
        case
            when released_at is null then null
            when adoption_figures > 0 then flags_adoption_pct
            else own_adoption_pct
        end as item_adoption_pct,
        case
            when released_at is null then null
            when adoption_figures > 0 then flags_credited_adoption_points
            else own_adoption_pct
        end as item_credited_adoption_points,
        case
            when released_at is null then null
            when adoption_figures > 0 then flags_adoption_source
            when own_adoption_pct is not null then 'feature_usage_csv'
        end as item_adoption_source,
        case
            when released_at is null then null
            when nps_figures > 0 then flags_nps_delta
            else own_nps_gain
        end as item_nps_delta,
        case
            when released_at is null then null
            when nps_figures > 0 then flags_nps_source
            when own_nps_gain is not null then 'feature_usage_csv'
        end as item_nps_source
    from released
),

scored as (
    select
        valued.*,
        case when is_completed and lead_time_hours > 0 and item_credited_adoption_points is not null
            then item_credited_adoption_points / lead_time_hours end as roi_per_hour
    from valued
),

ranked as (
    select
        scored.*,
        case when roi_per_hour is not null and not adoption_is_small_sample
            then row_number() over (
                partition by case when roi_per_hour is not null and not adoption_is_small_sample then 1 else 0 end
                order by roi_per_hour desc, flow_item_id) end as roi_rank
    from scored
),

quartiled as (
    select
        ranked.*,
        case when roi_rank is not null
            then ntile(4) over (
                partition by case when roi_rank is not null then 1 else 0 end order by roi_rank) end as roi_quartile
    from ranked
)

select
    flow_item_id,
    source,
    issue_id,
    issue_key,
    project_key,
    summary,
    flow_item_type,
    is_completed,
    created_at,
    flow_start_at,
    flow_end_at,
    lead_time_hours,
    flow_time_hours,
    active_time_hours,
    first_deployed_at,
    cast(flag_count as integer) as flag_count,
    flag_keys,
    release_source,
    released_at,
    flag_count > 0 and first_deployed_at is not null and released_at is null as is_deployed_dark,
    {{ streamgauge.hours_between('first_deployed_at', 'released_at') }} as deploy_to_release_hours,
    {{ streamgauge.hours_between('flow_start_at', 'released_at') }} as time_to_value_hours,
    has_rollback,
    item_adoption_pct as adoption_pct,
    item_adoption_source as adoption_source,
    cast(case when item_adoption_source in ('usage_export', 'mixed') then eligible_user_days end as {{ dbt.type_bigint() }}) as adoption_eligible_user_days,
    adoption_is_small_sample,
    credit_share,
    credit_method,
    item_credited_adoption_points as credited_adoption_points,
    item_nps_delta as nps_delta,
    item_nps_source as nps_source,
    nps_is_small_sample,
    declared_value_usd,
    cost_of_delay_usd_per_week,
    roi_per_hour,
    case when released_at is not null and active_time_hours > 0
        then declared_value_usd / active_time_hours end as value_per_active_hour_usd,
    case when is_completed then cost_of_delay_usd_per_week * flow_time_hours / 168.0 end as delay_cost_incurred_usd,
    case when is_completed and flow_time_hours > 0
        then cost_of_delay_usd_per_week / (flow_time_hours / 168.0) end as cd3_usd_per_week_per_week,
    adoption_is_small_sample or nps_is_small_sample as is_small_sample,
    cast(roi_rank as integer) as roi_rank,
    cast(roi_quartile as integer) as roi_quartile,
    as_of
from quartiled
