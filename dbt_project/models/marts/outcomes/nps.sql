{#- NPS overall and per feature flag (SPEC §5). NPS = % promoters (9–10) − % detractors (0–6), with
    n and SE = 100 · sqrt((p_P + p_D − (p_P − p_D)²) / n). Per flag, around its release (production
    by default) and var outcome_nps_window_days (30) either side: exposed = responses naming the flag,
    submitted in [release, release + window); before = every response in [release − window,
    release); control = the other responses of the exposed window. nps_delta = exposed − before
    (SE: the two SEs combined), nps_delta_vs_control = exposed − control. A row whose exposed or
    before group has fewer than var outcome_min_nps_responses answers is a small sample; a flag not
    released has no groups. Responses after as_of are left out. -#}
{%- set window = var('outcome_nps_window_days', 30) | int %}
{%- set min_n = var('outcome_min_nps_responses', 30) | int %}
with responses as (
    select * from {{ ref('stg_product_files__nps_responses') }}
    where submitted_at <= {{ streamgauge.as_of() }}
),

flags as (
    select distinct flag_key from {{ ref('stg_launchdarkly__flags') }}
),

releases as (
    select flag_key, min(released_at) as released_at
    from {{ ref('feature_releases') }}
    where is_release_environment and released_at is not null
    group by flag_key
),

overall as (
    select
        count(*) as n,
        sum(case when is_promoter then 1 else 0 end) as promoters,
        sum(case when not is_promoter and not is_detractor then 1 else 0 end) as passives,
        sum(case when is_detractor then 1 else 0 end) as detractors
    from responses
),

per_feature as (
    select
        flags.flag_key,
        releases.released_at,
        sum(case when r.flag_key = flags.flag_key and r.submitted_at >= releases.released_at then 1 else 0 end) as n,
        sum(case when r.flag_key = flags.flag_key and r.submitted_at >= releases.released_at and r.is_promoter then 1 else 0 end) as promoters,
        sum(case when r.flag_key = flags.flag_key and r.submitted_at >= releases.released_at
                  and not r.is_promoter and not r.is_detractor then 1 else 0 end) as passives,
        sum(case when r.flag_key = flags.flag_key and r.submitted_at >= releases.released_at and r.is_detractor then 1 else 0 end) as detractors,
        sum(case when r.submitted_at < releases.released_at then 1 else 0 end) as before_n,
        sum(case when r.submitted_at < releases.released_at and r.is_promoter then 1 else 0 end) as before_promoters,
        sum(case when r.submitted_at < releases.released_at and r.is_detractor then 1 else 0 end) as before_detractors,
        sum(case when r.submitted_at >= releases.released_at and r.flag_key is distinct from flags.flag_key then 1 else 0 end) as control_n,
        sum(case when r.submitted_at >= releases.released_at and r.flag_key is distinct from flags.flag_key
                  and r.is_promoter then 1 else 0 end) as control_promoters,
        sum(case when r.submitted_at >= releases.released_at and r.flag_key is distinct from flags.flag_key
                  and r.is_detractor then 1 else 0 end) as control_detractors
    from flags
    left join releases
        on releases.flag_key = flags.flag_key
    left join responses as r
        on releases.released_at is not null
        and r.submitted_at >= {{ dbt.dateadd('day', -window, 'releases.released_at') }}
        and r.submitted_at < {{ dbt.dateadd('day', window, 'releases.released_at') }}
    group by flags.flag_key, releases.released_at
),

rows_ as (
    select
        'overall' as scope,
        cast(null as {{ dbt.type_string() }}) as feature_key,
        cast(null as {{ dbt.type_timestamp() }}) as release_at,
        n, promoters, passives, detractors,
        cast(null as bigint) as before_n, cast(null as bigint) as before_promoters, cast(null as bigint) as before_detractors,
        cast(null as bigint) as control_n, cast(null as bigint) as control_promoters, cast(null as bigint) as control_detractors
    from overall
    union all
    select
        'feature' as scope,
        flag_key,
        released_at,
        coalesce(n, 0), coalesce(promoters, 0), coalesce(passives, 0), coalesce(detractors, 0),
        case when released_at is not null then coalesce(before_n, 0) end,
        case when released_at is not null then coalesce(before_promoters, 0) end,
        case when released_at is not null then coalesce(before_detractors, 0) end,
        case when released_at is not null then coalesce(control_n, 0) end,
        case when released_at is not null then coalesce(control_promoters, 0) end,
        case when released_at is not null then coalesce(control_detractors, 0) end
    from per_feature
),

scored as (
    select
        rows_.*,
        {{ streamgauge.nps_score('n', 'promoters', 'detractors') }} as nps,
        {{ streamgauge.nps_standard_error('n', 'promoters', 'detractors') }} as nps_se,
        {{ streamgauge.nps_score('before_n', 'before_promoters', 'before_detractors') }} as before_nps,
        {{ streamgauge.nps_standard_error('before_n', 'before_promoters', 'before_detractors') }} as before_nps_se,
        {{ streamgauge.nps_score('control_n', 'control_promoters', 'control_detractors') }} as control_nps,
        {{ streamgauge.nps_standard_error('control_n', 'control_promoters', 'control_detractors') }} as control_nps_se
    from rows_
)

select
    {{ dbt.concat(["scope", "':'", "coalesce(feature_key, '*')"]) }} as nps_row_id,
    scope,
    feature_key,
    release_at,
    case when scope = 'feature' then {{ window }} end as window_days,
    cast(n as bigint) as n,
    cast(promoters as bigint) as promoters,
    cast(passives as bigint) as passives,
    cast(detractors as bigint) as detractors,
    nps,
    nps_se,
    cast(before_n as bigint) as before_n,
    before_nps,
    before_nps_se,
    cast(control_n as bigint) as control_n,
    control_nps,
    control_nps_se,
    nps - before_nps as nps_delta,
    sqrt(power(nps_se, 2) + power(before_nps_se, 2)) as nps_delta_se,
    nps - control_nps as nps_delta_vs_control,
    n < {{ min_n }} or coalesce(before_n, {{ min_n }}) < {{ min_n }}
        or (scope = 'feature' and release_at is null) as is_small_sample,
    {{ streamgauge.as_of() }} as as_of
from scored
