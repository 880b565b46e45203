{#- One row per commit a pull request listed (latest landed version of each `<pr id>:<sha>`).
    Commits force-pushed away stay landed; intermediate models keep those still reachable from
    the PR's head. -#}
with latest_commits as (
    {{ streamgauge.latest_raw_records('github', 'github_pull_request_commits') }}
)

select
    source,
    parent_id as pull_request_id,
    lower(coalesce({{ streamgauge.json_extract_text('payload', 'sha') }}, {{ dbt.split_part('record_id', "':'", 2) }})) as sha,
    lower({{ streamgauge.regex_extract(streamgauge.json_extract_text('payload', 'url'), "'/repos/([^/]+/[^/]+)/'", 1) }}) as repository,
    {{ streamgauge.json_extract_text_list_of('payload', 'parents', 'sha') }} as parent_shas,
    {{ streamgauge.json_extract_text('payload', 'commit.author.name') }} as author_name,
    lower({{ streamgauge.json_extract_text('payload', 'commit.author.email') }}) as author_email,
    {{ streamgauge.iso_to_utc_timestamp(streamgauge.json_extract_text('payload', 'commit.author.date')) }} as authored_at,
    {{ streamgauge.json_extract_text('payload', 'commit.committer.name') }} as committer_name,
    lower({{ streamgauge.json_extract_text('payload', 'commit.committer.email') }}) as committer_email,
    {{ streamgauge.iso_to_utc_timestamp(streamgauge.json_extract_text('payload', 'commit.committer.date')) }} as committed_at,
    {{ streamgauge.json_extract_text('payload', 'commit.message') }} as message,
    {{ streamgauge.json_extract_text('payload', 'author.login') }} as author_login,
    fetched_at
from latest_commits
