{#- One row per pull request: its latest landed version, flattened.

    ready_for_review_at: when a draft became ready for review — the first `ready_for_review` event
    of the PR's timeline. Without one (timeline not landed), when the landed versions show the PR
    as a draft and a later version does not, the first such version's updated_at (the update that
    made it ready). NULL for a PR never known as a draft (review could start when it was opened). merge_commit_sha is kept for
    merged PRs only (GitHub fills it with a test merge for open ones). -#}
{%- set pull_request_fields = [
    'id',
    'base.repo.full_name',
    'number',
    'title',
    'body',
    'state',
    'draft',
    'user.login',
    'user.type',
    'head.ref',
    'head.sha',
    'head.repo.full_name',
    'base.ref',
    'base.sha',
    'created_at',
    'updated_at',
    'merged_at',
    'closed_at',
    'merge_commit_sha',
    'additions',
    'deletions',
    'changed_files',
    'commits',
] -%}

with versions as (
    select
        source,
        record_id,
        fetched_at,
        payload_hash,
        coalesce({{ streamgauge.safe_cast_boolean(streamgauge.json_extract_text('payload', 'draft')) }}, false) as is_draft,
        {{ streamgauge.iso_to_utc_timestamp(streamgauge.json_extract_text('payload', 'updated_at')) }} as updated_at
    from {{ streamgauge.optional_source('github', 'github_pull_requests') }} as raw_versions
),

ordered_versions as (
    select
        versions.*,
        max(case when is_draft then 1 else 0 end) over (
            partition by source, record_id order by fetched_at, payload_hash
            rows between unbounded preceding and 1 preceding
        ) as was_draft_before
    from versions
),

ready_transitions as (
    select source, record_id, min(updated_at) as ready_for_review_at
    from ordered_versions
    where not is_draft and was_draft_before = 1
    group by source, record_id
),

ready_events as (
    select source, pull_request_id, min(created_at) as ready_for_review_at
    from {{ ref('stg_github__pull_request_timeline') }}
    where event = 'ready_for_review'
    group by source, pull_request_id
),

latest_pull_requests as (
    {{ streamgauge.latest_raw_records('github', 'github_pull_requests') }}
),

parsed as (
    select latest_pull_requests.*, {{ streamgauge.json_extract_texts('payload', pull_request_fields) }} as payload_texts
    from latest_pull_requests
),

flattened as (
    select
        source,
        coalesce({{ streamgauge.json_text_in('payload_texts', pull_request_fields, 'id') }}, record_id) as pull_request_id,
        lower(coalesce(parent_id, {{ streamgauge.json_text_in('payload_texts', pull_request_fields, 'base.repo.full_name') }})) as repository,
        {{ streamgauge.safe_cast_integer(streamgauge.json_text_in('payload_texts', pull_request_fields, 'number'), 'integer') }} as number,
        {{ streamgauge.json_text_in('payload_texts', pull_request_fields, 'title') }} as title,
        {{ streamgauge.json_text_in('payload_texts', pull_request_fields, 'body') }} as body,
        {{ streamgauge.json_text_in('payload_texts', pull_request_fields, 'state') }} as state,
        coalesce({{ streamgauge.safe_cast_boolean(streamgauge.json_text_in('payload_texts', pull_request_fields, 'draft')) }}, false) as is_draft,
        {{ streamgauge.json_text_in('payload_texts', pull_request_fields, 'user.login') }} as author_login,
        {{ streamgauge.json_text_in('payload_texts', pull_request_fields, 'user.type') }} as author_type,
        {{ streamgauge.json_text_in('payload_texts', pull_request_fields, 'head.ref') }} as head_ref,
        lower({{ streamgauge.json_text_in('payload_texts', pull_request_fields, 'head.sha') }}) as head_sha,
        lower({{ streamgauge.json_text_in('payload_texts', pull_request_fields, 'head.repo.full_name') }}) as head_repository,
        {{ streamgauge.json_text_in('payload_texts', pull_request_fields, 'base.ref') }} as base_ref,
        lower({{ streamgauge.json_text_in('payload_texts', pull_request_fields, 'base.sha') }}) as base_sha,
        {{ streamgauge.json_extract_text_list_of('payload', 'labels', 'name') }} as labels,
        {{ streamgauge.iso_to_utc_timestamp(streamgauge.json_text_in('payload_texts', pull_request_fields, 'created_at')) }} as created_at,
        {{ streamgauge.iso_to_utc_timestamp(streamgauge.json_text_in('payload_texts', pull_request_fields, 'updated_at')) }} as updated_at,
        {{ streamgauge.iso_to_utc_timestamp(streamgauge.json_text_in('payload_texts', pull_request_fields, 'merged_at')) }} as merged_at,
        {{ streamgauge.iso_to_utc_timestamp(streamgauge.json_text_in('payload_texts', pull_request_fields, 'closed_at')) }} as closed_at,
        lower({{ streamgauge.json_text_in('payload_texts', pull_request_fields, 'merge_commit_sha') }}) as merge_commit_sha,
        {{ streamgauge.safe_cast_integer(streamgauge.json_text_in('payload_texts', pull_request_fields, 'additions')) }} as additions,
        {{ streamgauge.safe_cast_integer(streamgauge.json_text_in('payload_texts', pull_request_fields, 'deletions')) }} as deletions,
        {{ streamgauge.safe_cast_integer(streamgauge.json_text_in('payload_texts', pull_request_fields, 'changed_files'), 'integer') }} as changed_files,
        {{ streamgauge.safe_cast_integer(streamgauge.json_text_in('payload_texts', pull_request_fields, 'commits'), 'integer') }} as commit_count,
        record_id,
        fetched_at
    from parsed
)

select
    flattened.source,
    flattened.pull_request_id,
    flattened.repository,
    flattened.number,
    flattened.title,
    flattened.body,
    flattened.state,
    flattened.is_draft,
    flattened.author_login,
    flattened.author_type,
    flattened.head_ref,
    flattened.head_sha,
    flattened.head_repository,
    flattened.base_ref,
    flattened.base_sha,
    flattened.labels,
    flattened.created_at,
    flattened.updated_at,
    coalesce(ready_events.ready_for_review_at, ready_transitions.ready_for_review_at) as ready_for_review_at,
    flattened.merged_at,
    flattened.closed_at,
    flattened.merged_at is not null as is_merged,
    case when flattened.merged_at is not null then flattened.merge_commit_sha end as merge_commit_sha,
    flattened.additions,
    flattened.deletions,
    flattened.changed_files,
    flattened.commit_count,
    flattened.fetched_at
from flattened
left join ready_transitions
    on ready_transitions.source = flattened.source
    and ready_transitions.record_id = flattened.record_id
left join ready_events
    on ready_events.source = flattened.source
    and ready_events.pull_request_id = flattened.pull_request_id
