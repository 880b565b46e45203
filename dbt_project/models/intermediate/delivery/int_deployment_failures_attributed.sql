{#- Failure links: which successful production deployments failed, and why we think so. One row
    per link, by attribution_method (the methods failure_attribution_methods puts in force):

    Incident links — for every incident, the methods in precedence order; the first that finds at
    least one deployment of the incident's service gives all the incident's links (an incident may
    hit two deployments; one with no link has no cause):
    * explicit — the incident's text (title, description, summary, notes) names a deployment:
      "deployment 123", "…/deployments/123" (a GitHub deployment record id, any record of the
      deployment) or "…/actions/runs/456" (a workflow run);
    * root_cause_sha — the text names a commit (7 to 40 hex digits, unambiguous in the service's
      repositories): the production deployment that first shipped it;
    * revert — a deployment that first shipped a revert of a commit finished while the incident was
      open (created_at … resolved_at, or as_of): the deployment that first shipped the reverted
      commit, if it finished before the incident started;
    * rollback — a rollback finished while the incident was open: the deployments it rolled back
      that finished before the incident started;
    * nearest_preceding — the latest successful production deployment of the service finished at or
      before the incident started.

    Remediation links (incident_id NULL) — independently of incidents, every deployed revert fails
    the deployment that first shipped the reverted commit (not itself), and every rollback fails
    the deployments it rolled back, when those methods are in force. -#}
with methods as (
    select lower(method) as method, precedence
    from {{ ref('failure_attribution_methods') }}
    where enabled
),

incidents as (
    select * from {{ ref('int_incidents_mapped') }}
),

production as (
    select *
    from {{ ref('int_deployments_sequenced') }}
    where tier = 'production' and stream_sequence is not null
),

records as (
    select * from {{ ref('int_deployment_records_grouped') }}
),

commits as (
    select repository, sha, revert_of_sha from {{ ref('stg_git__commits') }}
),

first_deployments as (
    select
        change_sets.repository,
        change_sets.sha,
        production.deployment_id,
        production.service,
        production.finished_at
    from {{ ref('int_deployment_change_sets_computed') }} as change_sets
    inner join production
        on production.deployment_id = change_sets.deployment_id
    where change_sets.is_first_deployment
),

-- ---- deployments that remediated others -----------------------------------------------------
revert_evidence as (
    select distinct
        remediation.service,
        remediation.deployment_id as remediation_deployment_id,
        remediation.finished_at as remediation_finished_at,
        failed.deployment_id as failed_deployment_id,
        failed.finished_at as failed_finished_at,
        'revert' as method,
        'revert ' || revert_commit.sha || ' of ' || reverted.sha as evidence
    from first_deployments as remediation
    inner join commits as revert_commit
        on revert_commit.repository = remediation.repository
        and revert_commit.sha = remediation.sha
        and revert_commit.revert_of_sha is not null
    inner join commits as reverted
        on reverted.repository = revert_commit.repository
        and substring(reverted.sha, 1, 7) = substring(revert_commit.revert_of_sha, 1, 7)
        and {{ dbt.position('revert_commit.revert_of_sha', 'reverted.sha') }} = 1
    inner join first_deployments as failed
        on failed.repository = reverted.repository
        and failed.sha = reverted.sha
    where failed.deployment_id <> remediation.deployment_id
        and failed.finished_at <= remediation.finished_at
),

rollback_evidence as (
    select
        remediation.service,
        remediation.deployment_id as remediation_deployment_id,
        remediation.finished_at as remediation_finished_at,
        failed.deployment_id as failed_deployment_id,
        failed.finished_at as failed_finished_at,
        'rollback' as method,
        'rollback ' || remediation.deployment_id || ' to ' || remediation.sha as evidence
    from production as remediation
    inner join production as failed
        on failed.service = remediation.service
        and failed.repository = remediation.repository
        and failed.environment = remediation.environment
        and failed.environment_sequence > remediation.restored_environment_sequence
        and failed.environment_sequence < remediation.environment_sequence
    where remediation.is_rollback
),

evidence as (
    select * from revert_evidence
    union all
    select * from rollback_evidence
),

-- ---- what incidents say ---------------------------------------------------------------------
deployment_mentions as (
    select incidents.source, incidents.incident_id, mentions.element as native_id
    from incidents
    {{ streamgauge.list_elements_join(streamgauge.regex_extract_all('lower(incidents.cause_text)', "'deployments?(?:[^a-z0-9]|id)*([0-9]+)'", 1), 'mentions') }}
    union
    select incidents.source, incidents.incident_id, mentions.element as native_id
    from incidents
    {{ streamgauge.list_elements_join(streamgauge.regex_extract_all('lower(incidents.cause_text)', "'actions/runs/([0-9]+)'", 1), 'mentions') }}
),

sha_mentions as (
    select distinct incidents.source, incidents.incident_id, tokens.element as token
    from incidents
    {{ streamgauge.list_elements_join(streamgauge.regex_extract_all('lower(incidents.cause_text)', "'([0-9a-z]+)'", 1), 'tokens') }}
    where length(tokens.element) between 7 and 40
        and {{ streamgauge.regex_matches_ci('tokens.element', "'^[0-9a-f]+$'") }}
),

explicit_candidates as (
    select distinct
        incidents.source,
        incidents.incident_id,
        production.deployment_id,
        'explicit' as method,
        'names ' || records.record_kind || ' ' || records.native_id as evidence,
        cast(null as {{ dbt.type_string() }}) as remediation_deployment_id
    from deployment_mentions
    inner join incidents
        on incidents.source = deployment_mentions.source
        and incidents.incident_id = deployment_mentions.incident_id
    inner join records
        on records.native_id = deployment_mentions.native_id
    inner join production
        on production.deployment_id = records.deployment_id
        and production.service = incidents.service
),

sha_resolved as (
    select
        sha_mentions.source,
        sha_mentions.incident_id,
        sha_mentions.token,
        first_deployments.sha,
        first_deployments.deployment_id,
        count(*) over (partition by sha_mentions.source, sha_mentions.incident_id, sha_mentions.token) as matches
    from sha_mentions
    inner join incidents
        on incidents.source = sha_mentions.source
        and incidents.incident_id = sha_mentions.incident_id
    inner join first_deployments
        on first_deployments.service = incidents.service
        and substring(first_deployments.sha, 1, 7) = substring(sha_mentions.token, 1, 7)
        and {{ dbt.position('sha_mentions.token', 'first_deployments.sha') }} = 1
),

root_cause_candidates as (
    select distinct
        source,
        incident_id,
        deployment_id,
        'root_cause_sha' as method,
        'names commit ' || sha as evidence,
        cast(null as {{ dbt.type_string() }}) as remediation_deployment_id
    from sha_resolved
    where matches = 1
),

remediation_candidates as (
    select distinct
        incidents.source,
        incidents.incident_id,
        evidence.failed_deployment_id as deployment_id,
        evidence.method,
        evidence.evidence,
        evidence.remediation_deployment_id
    from incidents
    inner join evidence
        on evidence.service = incidents.service
        and evidence.remediation_finished_at >= incidents.created_at
        and evidence.remediation_finished_at <= coalesce(incidents.resolved_at, {{ streamgauge.as_of() }})
        and evidence.failed_finished_at <= incidents.created_at
),

nearest_ranked as (
    select
        incidents.source,
        incidents.incident_id,
        production.deployment_id,
        row_number() over (
            partition by incidents.source, incidents.incident_id
            order by production.finished_at desc, production.deployment_id desc
        ) as recency
    from incidents
    inner join production
        on production.service = incidents.service
        and production.finished_at <= incidents.created_at
),

nearest_candidates as (
    select
        source,
        incident_id,
        deployment_id,
        'nearest_preceding' as method,
        'latest production deployment before the incident' as evidence,
        cast(null as {{ dbt.type_string() }}) as remediation_deployment_id
    from nearest_ranked
    where recency = 1
),

candidates as (
    select * from explicit_candidates
    union all
    select * from root_cause_candidates
    union all
    select * from remediation_candidates
    union all
    select * from nearest_candidates
),

in_force as (
    select
        candidates.*,
        methods.precedence,
        min(methods.precedence) over (partition by candidates.source, candidates.incident_id) as winning_precedence
    from candidates
    inner join methods
        on methods.method = candidates.method
),

incident_links as (
    select
        source as incident_source,
        incident_id,
        deployment_id,
        method as attribution_method,
        precedence as method_precedence,
        evidence,
        remediation_deployment_id,
        row_number() over (
            partition by source, incident_id, deployment_id
            order by evidence, remediation_deployment_id
        ) as evidence_rank
    from in_force
    where precedence = winning_precedence
),

remediation_links as (
    select
        cast(null as {{ dbt.type_string() }}) as incident_source,
        cast(null as {{ dbt.type_string() }}) as incident_id,
        evidence.failed_deployment_id as deployment_id,
        evidence.method as attribution_method,
        min(methods.precedence) as method_precedence,
        min(evidence.evidence) as evidence,
        evidence.remediation_deployment_id
    from evidence
    inner join methods
        on methods.method = evidence.method
    group by evidence.failed_deployment_id, evidence.method, evidence.remediation_deployment_id
)

select
    incident_source || ':' || incident_id || '|' || deployment_id as failure_link_id,
    incident_source,
    incident_id,
    deployment_id,
    attribution_method,
    method_precedence,
    evidence,
    remediation_deployment_id
from incident_links
where evidence_rank = 1
union all
select
    attribution_method || '|' || deployment_id || '|' || remediation_deployment_id as failure_link_id,
    incident_source,
    incident_id,
    deployment_id,
    attribution_method,
    method_precedence,
    evidence,
    remediation_deployment_id
from remediation_links
