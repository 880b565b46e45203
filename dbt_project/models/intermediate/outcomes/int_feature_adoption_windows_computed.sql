{#- Per released feature flag (by key, across LaunchDarkly and product sources) and window (7 and 30
    days): adoption over the UTC days D+1 … D+N after the release day D, pooled —
    100 × Σ users_who_used ÷ Σ eligible_active_users — with n = Σ eligible user-days and the days
    observed (fewer than N while the window is still running at as_of). Only complete days before
    as_of count; a feature the usage export never mentions has no window. A window with fewer than
    var outcome_min_eligible_user_days eligible user-days is a small sample. -#}
with usage as (
    select * from {{ ref('stg_product_files__usage_daily') }}
    where usage_date < cast({{ streamgauge.as_of() }} as date)
),

releases as (
    select flag_key, min(released_at) as released_at
    from {{ ref('feature_releases') }}
    where is_release_environment and released_at is not null
    group by flag_key
),

windows as (
    select 7 as window_days
    union all
    select 30 as window_days
),

exported as (
    select distinct feature_key from usage
),

pooled as (
    select
        releases.flag_key as feature_key,
        releases.released_at,
        windows.window_days,
        sum(usage.eligible_active_users) as eligible_user_days,
        sum(usage.users_who_used) as users_who_used,
        count(usage.usage_date) as days_observed
    from releases
    inner join exported
        on exported.feature_key = releases.flag_key
    cross join windows
    left join usage
        on usage.feature_key = releases.flag_key
        and usage.usage_date > cast(releases.released_at as date)
        and usage.usage_date <= {{ dbt.dateadd('day', 'windows.window_days', 'cast(releases.released_at as date)') }}
    group by releases.flag_key, releases.released_at, windows.window_days
)

select
    feature_key,
    released_at,
    window_days,
    cast(coalesce(eligible_user_days, 0) as bigint) as eligible_user_days,
    cast(coalesce(users_who_used, 0) as bigint) as users_who_used,
    cast(days_observed as integer) as days_observed,
    case when eligible_user_days > 0 then 100.0 * users_who_used / eligible_user_days end as adoption_pct,
    coalesce(eligible_user_days, 0) < {{ var('outcome_min_eligible_user_days', 200) }} as is_small_sample
from pooled
