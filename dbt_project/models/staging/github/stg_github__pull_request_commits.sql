{#- One row per commit a pull request listed (latest landed version of each `<pr id>:<sha>`).
    Commits force-pushed away stay landed; intermediate models keep those still reachable from
    the PR's head.
    Incremental: a refresh flattens only the records with a newly landed version. -#}
{{ config(materialized='incremental', unique_key=['source', 'pull_request_id', 'sha'], incremental_strategy='delete+insert') }}
{%- set commit_fields = [
    'sha',
    'url',
    'commit.author.name',
    'commit.author.email',
    'commit.author.date',
    'commit.committer.name',
    'commit.committer.email',
    'commit.committer.date',
    'commit.message',
    'author.login',
] -%}

with latest_commits as (
    {{ streamgauge.latest_changed_raw_records('github', 'github_pull_request_commits') }}
),

parsed as (
    select latest_commits.*, {{ streamgauge.json_extract_texts('payload', commit_fields) }} as payload_texts
    from latest_commits
)

select
    source,
    parent_id as pull_request_id,
    lower(coalesce({{ streamgauge.json_text_in('payload_texts', commit_fields, 'sha') }}, {{ dbt.split_part('record_id', "':'", 2) }})) as sha,
    lower({{ streamgauge.regex_extract(streamgauge.json_text_in('payload_texts', commit_fields, 'url'), "'/repos/([^/]+/[^/]+)/'", 1) }}) as repository,
    {{ streamgauge.json_extract_text_list_of('payload', 'parents', 'sha') }} as parent_shas,
    {{ streamgauge.json_text_in('payload_texts', commit_fields, 'commit.author.name') }} as author_name,
    lower({{ streamgauge.json_text_in('payload_texts', commit_fields, 'commit.author.email') }}) as author_email,
    {{ streamgauge.iso_to_utc_timestamp(streamgauge.json_text_in('payload_texts', commit_fields, 'commit.author.date')) }} as authored_at,
    {{ streamgauge.json_text_in('payload_texts', commit_fields, 'commit.committer.name') }} as committer_name,
    lower({{ streamgauge.json_text_in('payload_texts', commit_fields, 'commit.committer.email') }}) as committer_email,
    {{ streamgauge.iso_to_utc_timestamp(streamgauge.json_text_in('payload_texts', commit_fields, 'commit.committer.date')) }} as committed_at,
    {{ streamgauge.json_text_in('payload_texts', commit_fields, 'commit.message') }} as message,
    {{ streamgauge.json_text_in('payload_texts', commit_fields, 'author.login') }} as author_login,
    fetched_at
from parsed
