{#- One row per commit (repository, sha): the latest landed version, flattened. Author and
    committer dates carry the offsets git printed them with and are stored in UTC. A repository
    landed by two git sources (a mirror) keeps one row per SHA: commits are immutable. Incremental:
    a refresh reads only the commits with a newly landed version, and a newer version of a SHA
    (from either source) replaces its row, as in a full rebuild. -#}
{{ config(materialized='incremental', unique_key=['repository', 'sha'], incremental_strategy='delete+insert') }}
{%- set commit_fields = [
    'repository',
    'sha',
    'author.name',
    'author.email',
    'author.date',
    'committer.name',
    'committer.email',
    'committer.date',
    'message',
] -%}

with latest_commits as (
    {{ streamgauge.latest_changed_raw_records('git', 'git_commits') }}
),

parsed as (
    select latest_commits.*, {{ streamgauge.json_extract_texts('payload', commit_fields) }} as payload_texts
    from latest_commits
),

flattened as (
    select
        source,
        record_id,
        lower(coalesce({{ streamgauge.json_text_in('payload_texts', commit_fields, 'repository') }}, parent_id)) as repository,
        lower(coalesce({{ streamgauge.json_text_in('payload_texts', commit_fields, 'sha') }}, record_id)) as sha,
        {{ streamgauge.json_extract_text_list('payload', 'parents') }} as parent_shas,
        {{ streamgauge.json_text_in('payload_texts', commit_fields, 'author.name') }} as author_name,
        lower({{ streamgauge.json_text_in('payload_texts', commit_fields, 'author.email') }}) as author_email,
        {{ streamgauge.iso_to_utc_timestamp(streamgauge.json_text_in('payload_texts', commit_fields, 'author.date')) }} as authored_at,
        {{ streamgauge.json_text_in('payload_texts', commit_fields, 'committer.name') }} as committer_name,
        lower({{ streamgauge.json_text_in('payload_texts', commit_fields, 'committer.email') }}) as committer_email,
        {{ streamgauge.iso_to_utc_timestamp(streamgauge.json_text_in('payload_texts', commit_fields, 'committer.date')) }} as committed_at,
        {{ streamgauge.json_text_in('payload_texts', commit_fields, 'message') }} as message,
        fetched_at,
        payload
    from parsed
),

file_stats as (
    select
        flattened.source,
        flattened.record_id,
        sum({{ streamgauge.safe_cast_integer(streamgauge.json_extract_text('files.element', 'additions')) }}) as additions,
        sum({{ streamgauge.safe_cast_integer(streamgauge.json_extract_text('files.element', 'deletions')) }}) as deletions,
        count(*) as files_changed,
        sum(case when {{ streamgauge.json_extract_text('files.element', 'additions') }} is null then 1 else 0 end) as binary_files
    from flattened
    {{ streamgauge.json_array_elements_join('flattened.payload', 'files', 'files') }}
    group by flattened.source, flattened.record_id
),

commits as (
    select
        flattened.repository,
        flattened.sha,
        flattened.source,
        flattened.parent_shas,
        flattened.author_name,
        flattened.author_email,
        flattened.authored_at,
        flattened.committer_name,
        flattened.committer_email,
        flattened.committed_at,
        flattened.message,
        flattened.fetched_at,
        file_stats.additions,
        file_stats.deletions,
        file_stats.files_changed,
        file_stats.binary_files
    from flattened
    left join file_stats
        on file_stats.source = flattened.source
        and file_stats.record_id = flattened.record_id
),

deduplicated as (
    {{ streamgauge.select_first_per('commits', 'repository, sha', 'fetched_at desc, source') }}
)

select
    repository,
    sha,
    source,
    parent_shas,
    cast({{ streamgauge.list_size('parent_shas') }} as integer) as parent_count,
    {{ streamgauge.list_size('parent_shas') }} > 1 as is_merge,
    author_name,
    author_email,
    authored_at,
    committer_name,
    committer_email,
    committed_at,
    message,
    {{ dbt.split_part('message', 'chr(10)', 1) }} as message_subject,
    cast(coalesce(additions, 0) as bigint) as additions,
    cast(coalesce(deletions, 0) as bigint) as deletions,
    cast(coalesce(files_changed, 0) as integer) as files_changed,
    cast(coalesce(binary_files, 0) as integer) as binary_files,
    lower({{ streamgauge.regex_extract('message', "'This reverts commit ([0-9a-fA-F]{7,40})'", 1) }}) as revert_of_sha,
    fetched_at
from deduplicated
