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

release_windows as (
    select
        flags.flag_key,
        releases.released_at,
        {{ dbt.dateadd('day', -window, 'releases.released_at') }} as before_start_at,
        {{ dbt.dateadd('day', window, 'releases.released_at') }} as exposed_end_at
    from flags
    left join releases
        on releases.flag_key = flags.flag_key
),

-- How many responses (promoters, detractors) came before each boundary of a release window:
-- running sums over the responses and the boundaries in time order, a boundary ahead of the
-- responses submitted at its moment (it counts those strictly before it). Linear in responses and
-- releases, where joining every release to every response of its window grows with their product.
boundaries as (
    select released_at as boundary_at from release_windows where released_at is not null
    union
    select before_start_at from release_windows where released_at is not null
    union
    select exposed_end_at from release_windows where released_at is not null
),

timeline as (
    select boundary_at as moment, 0 as is_response, 0 as is_promoter, 0 as is_detractor
    from boundaries
    union all
    select
        submitted_at,
        1,
        case when is_promoter then 1 else 0 end,
        case when is_detractor then 1 else 0 end
    from responses
),

counts_before as (
    select moment, responses_before, promoters_before, detractors_before
    from (
        select
            moment,
            is_response,
            sum(is_response) over earlier as responses_before,
            sum(is_promoter) over earlier as promoters_before,
            sum(is_detractor) over earlier as detractors_before
        from timeline
        window earlier as (order by moment, is_response rows between unbounded preceding and current row)
    ) as running
    where is_response = 0
),

-- responses naming the flag in [release, release + window)
exposed as (
    select
        release_windows.flag_key,
        count(*) as n,
        sum(case when r.is_promoter then 1 else 0 end) as promoters,
        sum(case when not r.is_promoter and not r.is_detractor then 1 else 0 end) as passives,
        sum(case when r.is_detractor then 1 else 0 end) as detractors
    from release_windows
    inner join responses as r
        on r.flag_key = release_windows.flag_key
        and r.submitted_at >= release_windows.released_at
        and r.submitted_at < release_windows.exposed_end_at
    group by release_windows.flag_key
),

per_feature as (
    select
        release_windows.flag_key,
        release_windows.released_at,
        exposed.n,
        exposed.promoters,
        exposed.passives,
        exposed.detractors,
        at_release.responses_before - at_before_start.responses_before as before_n,
        at_release.promoters_before - at_before_start.promoters_before as before_promoters,
        at_release.detractors_before - at_before_start.detractors_before as before_detractors,
        -- control: the other responses of the exposed window
        at_exposed_end.responses_before - at_release.responses_before - coalesce(exposed.n, 0) as control_n,
        at_exposed_end.promoters_before - at_release.promoters_before - coalesce(exposed.promoters, 0)
            as control_promoters,
        at_exposed_end.detractors_before - at_release.detractors_before - coalesce(exposed.detractors, 0)
            as control_detractors
    from release_windows
    left join exposed
        on exposed.flag_key = release_windows.flag_key
    left join counts_before as at_before_start
        on at_before_start.moment = release_windows.before_start_at
    left join counts_before as at_release
        on at_release.moment = release_windows.released_at
    left join counts_before as at_exposed_end
        on at_exposed_end.moment = release_windows.exposed_end_at
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
