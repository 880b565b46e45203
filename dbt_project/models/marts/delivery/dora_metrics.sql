{#- DORA metrics per service and period: one row per (service, period_grain, period_start) with
    period_grain week (ISO, from Monday) and month, periods being local calendar periods in var
    reporting_timezone, gap-free from the service's first production deployment, deployed change
    or incident to the period of as_of (an empty period has counts 0 and NULL statistics).
    service `*` is every service together.

    Every event is placed by its local date: deployments and changes by the deployment's
    finished_at, recoveries by the incident's resolution.

    Medians: `_median_` columns are interpolated medians (DuckDB `median`: the mean of the two
    middle values for an even n); `_lower_median_` columns are lower medians (the smaller middle
    value, an observed one), which is what DevLake's dashboards report. p85 is interpolated.
    Performance levels use the interpolated medians; a level is NULL when its sample is smaller
    than var dora_min_n (is_small_sample tells that this happened for a metric that has data). -#}
{%- set tz = var('reporting_timezone', 'UTC') -%}
{%- set min_n = var('dora_min_n', 5) | int -%}
with as_of as (
    select
        {{ streamgauge.as_of() }} as as_of,
        {{ streamgauge.utc_to_local_date(streamgauge.as_of(), tz) }} as as_of_date
),

deployments as (
    select service, deployment_id, finished_date, has_failure, is_rework
    from {{ ref('deployments') }}
    where is_dora_deployment
),

deployments_all as (
    select * from deployments
    union all
    select '*' as service, deployment_id, finished_date, has_failure, is_rework from deployments
),

changes as (
    select service, change_id, deployed_date, lead_time_hours
    from {{ ref('change_lead_times') }}
),

changes_all as (
    select * from changes
    union all
    select '*' as service, change_id, deployed_date, lead_time_hours from changes
),

pull_requests as (
    select
        service,
        {{ streamgauge.utc_to_local_date('deployed_at', tz) }} as deployed_date,
        coding_hours,
        pickup_hours,
        review_hours,
        deploy_hours
    from {{ ref('pull_requests') }}
    where is_in_pr_metrics and deployed_at is not null
),

pull_requests_all as (
    select * from pull_requests
    union all
    select '*' as service, deployed_date, coding_hours, pickup_hours, review_hours, deploy_hours from pull_requests
),

recoveries as (
    select
        service,
        incident_source || ':' || incident_id as incident_key,
        restored_date,
        case when recovery_hours >= 0 then recovery_hours end as recovery_hours,
        case when recovery_from_incident_start_hours >= 0 then recovery_from_incident_start_hours end
            as recovery_from_incident_start_hours
    from {{ ref('deployment_failures') }}
    where is_incident_link and restored_at is not null
),

recoveries_all as (
    select * from recoveries
    union all
    select '*' as service, incident_key, restored_date, recovery_hours, recovery_from_incident_start_hours
    from recoveries
),

incident_recoveries_all as (
    select distinct service, incident_key, restored_date, recovery_from_incident_start_hours
    from recoveries_all
),

incidents as (
    select service, created_date from {{ ref('incidents') }}
),

first_dates as (
    select service, min(event_date) as first_date
    from (
        select service, finished_date as event_date from deployments_all
        union all
        select service, deployed_date from changes_all
        union all
        select service, created_date from incidents
        union all
        select '*', created_date from incidents
    ) as events
    where event_date is not null
    group by service
),

days as (
    select first_dates.service, spine.day
    from first_dates
    cross join as_of
    {{ streamgauge.days_between_join('first_dates.first_date', 'as_of.as_of_date', 'spine') }}
),

deployment_days as (
    select service, finished_date as day, count(*) as deployment_count
    from deployments_all
    group by service, finished_date
),

days_flagged as (
    select
        days.service,
        days.day,
        cast({{ dbt.date_trunc('week', 'days.day') }} as date) as week_start,
        cast({{ dbt.date_trunc('month', 'days.day') }} as date) as month_start,
        case when deployment_days.deployment_count > 0 then 1 else 0 end as is_deployment_day
    from days
    left join deployment_days
        on deployment_days.service = days.service
        and deployment_days.day = days.day
),

periods as (
    select distinct service, 'week' as period_grain, week_start as period_start from days_flagged
    union
    select distinct service, 'month' as period_grain, month_start as period_start from days_flagged
),

period_rows as (
    select
        service,
        period_grain,
        period_start,
        case when period_grain = 'week' then {{ streamgauge.add_days('period_start', 7) }}
             else {{ streamgauge.add_months('period_start', 1) }} end as period_end,
        case when period_grain = 'week' then {{ streamgauge.add_days('period_start', -21) }}
             else period_start end as month_window_start,
        case when period_grain = 'week' then {{ streamgauge.add_days('period_start', -175) }}
             else {{ streamgauge.add_months('period_start', -5) }} end as six_month_window_start
    from periods
),

deployment_facts as (
    select
        period_rows.service,
        period_rows.period_grain,
        period_rows.period_start,
        count(deployments_all.deployment_id) as deployment_count,
        count(distinct deployments_all.finished_date) as deployment_days,
        count(distinct case when deployments_all.has_failure then deployments_all.deployment_id end) as failed_deployment_count,
        count(distinct case when deployments_all.is_rework then deployments_all.deployment_id end) as rework_deployment_count
    from period_rows
    left join deployments_all
        on deployments_all.service = period_rows.service
        and deployments_all.finished_date >= period_rows.period_start
        and deployments_all.finished_date < period_rows.period_end
    group by period_rows.service, period_rows.period_grain, period_rows.period_start
),

window_facts as (
    select
        period_rows.service,
        period_rows.period_grain,
        period_rows.period_start,
        coalesce(sum(case when days_flagged.day >= period_rows.month_window_start
                          then days_flagged.is_deployment_day end), 0) as deployment_days_in_month_window,
        coalesce(sum(days_flagged.is_deployment_day), 0) as deployment_days_in_six_month_window
    from period_rows
    left join days_flagged
        on days_flagged.service = period_rows.service
        and days_flagged.day >= period_rows.six_month_window_start
        and days_flagged.day < period_rows.period_end
    group by period_rows.service, period_rows.period_grain, period_rows.period_start
),

weeks_of_months as (
    select service, month_start, week_start, sum(is_deployment_day) as deployment_days
    from days_flagged
    group by service, month_start, week_start
),

weekly_medians as (
    select
        service,
        'month' as period_grain,
        month_start as period_start,
        {{ streamgauge.median_cont('deployment_days') }} as median_deployment_days_per_week,
        {{ streamgauge.median_lower('deployment_days') }} as lower_median_deployment_days_per_week
    from weeks_of_months
    group by service, month_start
    union all
    select
        service,
        'week' as period_grain,
        week_start as period_start,
        sum(deployment_days) as median_deployment_days_per_week,
        sum(deployment_days) as lower_median_deployment_days_per_week
    from weeks_of_months
    group by service, week_start
),

lead_time_facts as (
    select
        period_rows.service,
        period_rows.period_grain,
        period_rows.period_start,
        {{ streamgauge.median_cont('changes_all.lead_time_hours') }} as lead_time_median_hours,
        {{ streamgauge.median_lower('changes_all.lead_time_hours') }} as lead_time_lower_median_hours,
        {{ streamgauge.quantile_cont('changes_all.lead_time_hours', 0.85) }} as lead_time_p85_hours,
        count(changes_all.lead_time_hours) as lead_time_n,
        count(changes_all.change_id) - count(changes_all.lead_time_hours) as lead_time_excluded_n
    from period_rows
    inner join changes_all
        on changes_all.service = period_rows.service
        and changes_all.deployed_date >= period_rows.period_start
        and changes_all.deployed_date < period_rows.period_end
    group by period_rows.service, period_rows.period_grain, period_rows.period_start
),

pr_facts as (
    select
        period_rows.service,
        period_rows.period_grain,
        period_rows.period_start,
        {{ streamgauge.median_cont('pull_requests_all.coding_hours') }} as pr_coding_median_hours,
        {{ streamgauge.median_cont('pull_requests_all.pickup_hours') }} as pr_pickup_median_hours,
        {{ streamgauge.median_cont('pull_requests_all.review_hours') }} as pr_review_median_hours,
        {{ streamgauge.median_cont('pull_requests_all.deploy_hours') }} as pr_deploy_median_hours,
        count(*) as pr_n
    from period_rows
    inner join pull_requests_all
        on pull_requests_all.service = period_rows.service
        and pull_requests_all.deployed_date >= period_rows.period_start
        and pull_requests_all.deployed_date < period_rows.period_end
    group by period_rows.service, period_rows.period_grain, period_rows.period_start
),

recovery_facts as (
    select
        period_rows.service,
        period_rows.period_grain,
        period_rows.period_start,
        {{ streamgauge.median_cont('recoveries_all.recovery_hours') }} as recovery_median_hours,
        {{ streamgauge.median_lower('recoveries_all.recovery_hours') }} as recovery_lower_median_hours,
        count(recoveries_all.recovery_hours) as recovery_n
    from period_rows
    inner join recoveries_all
        on recoveries_all.service = period_rows.service
        and recoveries_all.restored_date >= period_rows.period_start
        and recoveries_all.restored_date < period_rows.period_end
    group by period_rows.service, period_rows.period_grain, period_rows.period_start
),

incident_recovery_facts as (
    select
        period_rows.service,
        period_rows.period_grain,
        period_rows.period_start,
        {{ streamgauge.median_cont('incident_recoveries_all.recovery_from_incident_start_hours') }}
            as recovery_from_incident_start_median_hours,
        count(incident_recoveries_all.recovery_from_incident_start_hours) as recovery_from_incident_start_n
    from period_rows
    inner join incident_recoveries_all
        on incident_recoveries_all.service = period_rows.service
        and incident_recoveries_all.restored_date >= period_rows.period_start
        and incident_recoveries_all.restored_date < period_rows.period_end
    group by period_rows.service, period_rows.period_grain, period_rows.period_start
),

combined as (
    select
        period_rows.service,
        period_rows.period_grain,
        period_rows.period_start,
        period_rows.period_end,
        cast(deployment_facts.deployment_count as integer) as deployment_count,
        cast(deployment_facts.deployment_days as integer) as deployment_days,
        cast(weekly_medians.median_deployment_days_per_week as double) as median_deployment_days_per_week,
        cast(weekly_medians.lower_median_deployment_days_per_week as double) as lower_median_deployment_days_per_week,
        cast(case when period_rows.period_grain = 'month' then deployment_facts.deployment_days
                  else window_facts.deployment_days_in_month_window end as integer) as deployment_days_per_month,
        cast(window_facts.deployment_days_in_six_month_window as integer) as deployment_days_per_six_months,
        lead_time_facts.lead_time_median_hours,
        lead_time_facts.lead_time_lower_median_hours,
        lead_time_facts.lead_time_p85_hours,
        cast(coalesce(lead_time_facts.lead_time_n, 0) as integer) as lead_time_n,
        cast(coalesce(lead_time_facts.lead_time_excluded_n, 0) as integer) as lead_time_excluded_n,
        cast(deployment_facts.failed_deployment_count as integer) as failed_deployment_count,
        case when deployment_facts.deployment_count > 0
             then cast(deployment_facts.failed_deployment_count as double) / deployment_facts.deployment_count end
            as change_fail_rate,
        cast(deployment_facts.deployment_count as integer) as change_fail_n,
        recovery_facts.recovery_median_hours,
        recovery_facts.recovery_lower_median_hours,
        cast(coalesce(recovery_facts.recovery_n, 0) as integer) as recovery_n,
        incident_recovery_facts.recovery_from_incident_start_median_hours,
        cast(coalesce(incident_recovery_facts.recovery_from_incident_start_n, 0) as integer) as recovery_from_incident_start_n,
        cast(deployment_facts.rework_deployment_count as integer) as rework_deployment_count,
        case when deployment_facts.deployment_count > 0
             then cast(deployment_facts.rework_deployment_count as double) / deployment_facts.deployment_count end
            as deployment_rework_rate,
        cast(deployment_facts.deployment_count as integer) as rework_n,
        pr_facts.pr_coding_median_hours,
        pr_facts.pr_pickup_median_hours,
        pr_facts.pr_review_median_hours,
        pr_facts.pr_deploy_median_hours,
        cast(coalesce(pr_facts.pr_n, 0) as integer) as pr_n
    from period_rows
    inner join deployment_facts
        on deployment_facts.service = period_rows.service
        and deployment_facts.period_grain = period_rows.period_grain
        and deployment_facts.period_start = period_rows.period_start
    inner join window_facts
        on window_facts.service = period_rows.service
        and window_facts.period_grain = period_rows.period_grain
        and window_facts.period_start = period_rows.period_start
    left join weekly_medians
        on weekly_medians.service = period_rows.service
        and weekly_medians.period_grain = period_rows.period_grain
        and weekly_medians.period_start = period_rows.period_start
    left join lead_time_facts
        on lead_time_facts.service = period_rows.service
        and lead_time_facts.period_grain = period_rows.period_grain
        and lead_time_facts.period_start = period_rows.period_start
    left join pr_facts
        on pr_facts.service = period_rows.service
        and pr_facts.period_grain = period_rows.period_grain
        and pr_facts.period_start = period_rows.period_start
    left join recovery_facts
        on recovery_facts.service = period_rows.service
        and recovery_facts.period_grain = period_rows.period_grain
        and recovery_facts.period_start = period_rows.period_start
    left join incident_recovery_facts
        on incident_recovery_facts.service = period_rows.service
        and incident_recovery_facts.period_grain = period_rows.period_grain
        and incident_recovery_facts.period_start = period_rows.period_start
)

select
    combined.service,
    combined.period_grain,
    combined.period_start,
    combined.period_end,
    combined.period_end <= as_of.as_of_date as is_period_complete,
    combined.deployment_count,
    combined.deployment_days,
    combined.median_deployment_days_per_week,
    combined.lower_median_deployment_days_per_week,
    combined.deployment_days_per_month,
    combined.deployment_days_per_six_months,
    combined.lead_time_median_hours,
    combined.lead_time_lower_median_hours,
    combined.lead_time_p85_hours,
    combined.lead_time_n,
    combined.lead_time_excluded_n,
    combined.failed_deployment_count,
    combined.change_fail_rate,
    combined.change_fail_n,
    combined.recovery_median_hours,
    combined.recovery_lower_median_hours,
    combined.recovery_n,
    combined.recovery_from_incident_start_median_hours,
    combined.recovery_from_incident_start_n,
    combined.rework_deployment_count,
    combined.deployment_rework_rate,
    combined.rework_n,
    combined.pr_coding_median_hours,
    combined.pr_pickup_median_hours,
    combined.pr_review_median_hours,
    combined.pr_deploy_median_hours,
    combined.pr_n,
    {{ streamgauge.dora_deployment_frequency_level_2023('combined.median_deployment_days_per_week', 'combined.deployment_days_per_month') }}
        as deployment_frequency_level_2023,
    {{ streamgauge.unless_small_sample(streamgauge.dora_lead_time_level('combined.lead_time_median_hours', 2023), 'combined.lead_time_n') }}
        as lead_time_level_2023,
    {{ streamgauge.unless_small_sample(streamgauge.dora_change_fail_level('combined.change_fail_rate', 2023), 'combined.change_fail_n') }}
        as change_fail_level_2023,
    {{ streamgauge.unless_small_sample(streamgauge.dora_recovery_level('combined.recovery_median_hours'), 'combined.recovery_n') }}
        as recovery_level_2023,
    {{ streamgauge.dora_deployment_frequency_level_2021('combined.median_deployment_days_per_week', 'combined.deployment_days_per_month', 'combined.deployment_days_per_six_months') }}
        as deployment_frequency_level_2021,
    {{ streamgauge.unless_small_sample(streamgauge.dora_lead_time_level('combined.lead_time_median_hours', 2021), 'combined.lead_time_n') }}
        as lead_time_level_2021,
    {{ streamgauge.unless_small_sample(streamgauge.dora_change_fail_level('combined.change_fail_rate', 2021), 'combined.change_fail_n') }}
        as change_fail_level_2021,
    {{ streamgauge.unless_small_sample(streamgauge.dora_recovery_level('combined.recovery_median_hours'), 'combined.recovery_n') }}
        as recovery_level_2021,
    (combined.deployment_count < {{ min_n }}
        or (combined.lead_time_n > 0 and combined.lead_time_n < {{ min_n }})
        or (combined.recovery_n > 0 and combined.recovery_n < {{ min_n }})) as is_small_sample,
    {{ min_n }} as dora_min_n,
    as_of.as_of
from combined
cross join as_of
