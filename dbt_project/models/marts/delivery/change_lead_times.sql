{#- One row per change (pull request, or commit pushed without one) deployed to production, at
    the production deployment that first shipped it: lead_time_hours = that deployment's
    finished_at − first_commit_at (the earliest author date among the PR's own commits; a commit's
    own). A negative lead time (author dates in the future, clock skew) is NULL and flagged. With
    var dora_count_first_deployment_changes false, changes first shipped by a service's first
    deployment are left out. -#}
with changes as (
    select * from {{ ref('int_changes_deployed') }}
    where is_counted
),

measured as (
    select
        changes.*,
        {{ streamgauge.hours_between('first_commit_at', 'deployed_at') }} as raw_lead_time_hours
    from changes
)

select
    change_id,
    change_type,
    repository,
    service,
    pull_request_source,
    pull_request_id,
    pull_request_number,
    commit_sha,
    first_commit_at,
    deployment_id,
    deployed_at,
    {{ streamgauge.utc_to_local_date('deployed_at', var('reporting_timezone', 'UTC')) }} as deployed_date,
    case when raw_lead_time_hours >= 0 then raw_lead_time_hours end as lead_time_hours,
    coalesce(raw_lead_time_hours < 0, false) as is_negative_lead_time,
    commit_count,
    is_bot_author,
    is_first_deployment_of_service
from measured
