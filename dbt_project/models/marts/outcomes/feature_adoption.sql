{#- One row per product source, feature (flag key) and UTC day of the usage export (complete days
    before as_of): eligible active users, users who used it and that day's adoption %, the day's
    place relative to the flag's release (production by default), and the feature's 7- and 30-day
    adoption after release (int_feature_adoption_windows_computed; repeated on each of its days). -#}
with usage as (
    select * from {{ ref('stg_product_files__usage_daily') }}
    where usage_date < cast({{ streamgauge.as_of() }} as date)
),

windows as (
    select * from {{ ref('int_feature_adoption_windows_computed') }}
),

releases as (
    select flag_key, min(released_at) as released_at
    from {{ ref('feature_releases') }}
    where is_release_environment and released_at is not null
    group by flag_key
)

select
    {{ dbt.concat(['usage.source', "':'", 'usage.feature_key', "':'", "cast(usage.usage_date as " ~ dbt.type_string() ~ ")"]) }} as feature_day_id,
    usage.source,
    usage.feature_key,
    usage.usage_date,
    usage.eligible_active_users,
    usage.users_who_used,
    case when usage.eligible_active_users > 0
        then 100.0 * usage.users_who_used / usage.eligible_active_users end as adoption_pct,
    releases.released_at,
    case when releases.released_at is not null
        then cast({{ dbt.datediff('cast(releases.released_at as date)', 'usage.usage_date', 'day') }} as integer)
    end as days_since_release,
    coalesce(usage.usage_date > cast(releases.released_at as date), false) as is_after_release,
    w7.adoption_pct as adoption_7d_pct,
    w7.eligible_user_days as adoption_7d_eligible_user_days,
    w7.users_who_used as adoption_7d_users_who_used,
    w7.days_observed as adoption_7d_days_observed,
    w7.is_small_sample as adoption_7d_is_small_sample,
    w30.adoption_pct as adoption_30d_pct,
    w30.eligible_user_days as adoption_30d_eligible_user_days,
    w30.users_who_used as adoption_30d_users_who_used,
    w30.days_observed as adoption_30d_days_observed,
    w30.is_small_sample as adoption_30d_is_small_sample,
    usage.request as landed_from
from usage
left join releases
    on releases.flag_key = usage.feature_key
left join windows as w7
    on w7.feature_key = usage.feature_key
    and w7.window_days = 7
left join windows as w30
    on w30.feature_key = usage.feature_key
    and w30.window_days = 30
