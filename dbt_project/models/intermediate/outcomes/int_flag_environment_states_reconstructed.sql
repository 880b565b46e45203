{#- One row per flag, environment and audit-log entry that records the environment's state (up to
    as_of), in order: the serving share after the entry, the share before it (0 before the first),
    and whether the entry released the flag there (the share reached var outcome_release_share_pct
    from below) or rolled it back (the share went down: turned off, or a rollout reduced). -#}
{%- set share = var('outcome_release_share_pct', 100) | float %}
with states as (
    select * from {{ ref('stg_launchdarkly__audit_log_flag_states') }}
    where changed_at <= {{ streamgauge.as_of() }}
),

sequenced as (
    select
        states.*,
        coalesce(lag(serving_pct) over (
            partition by source, flag_id, environment_key order by changed_at, entry_id), 0.0) as previous_serving_pct,
        row_number() over (
            partition by source, flag_id, environment_key order by changed_at, entry_id) as state_number
    from states
)

select
    source,
    flag_id,
    project_key,
    flag_key,
    environment_key,
    state_number,
    entry_id,
    entry_environment_key,
    changed_at,
    is_on,
    serving_pct,
    previous_serving_pct,
    coalesce(serving_pct >= {{ share }} and previous_serving_pct < {{ share }}, false) as is_release,
    coalesce(serving_pct < previous_serving_pct, false) as is_rollback
from sequenced
