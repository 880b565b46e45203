{#- One row per pull request review (latest landed version). Pending reviews (not submitted) have
    no submitted_at. -#}
with latest_reviews as (
    {{ streamgauge.latest_raw_records('github', 'github_pull_request_reviews') }}
)

select
    source,
    coalesce({{ streamgauge.json_extract_text('payload', 'id') }}, record_id) as review_id,
    parent_id as pull_request_id,
    lower({{ streamgauge.regex_extract(streamgauge.json_extract_text('payload', 'pull_request_url'), "'/repos/([^/]+/[^/]+)/pulls/'", 1) }}) as repository,
    {{ streamgauge.safe_cast_integer(streamgauge.regex_extract(streamgauge.json_extract_text('payload', 'pull_request_url'), "'/pulls/([0-9]+)'", 1), 'integer') }} as pull_request_number,
    {{ streamgauge.json_extract_text('payload', 'user.login') }} as reviewer_login,
    {{ streamgauge.json_extract_text('payload', 'user.type') }} as reviewer_type,
    upper({{ streamgauge.json_extract_text('payload', 'state') }}) as state,
    {{ streamgauge.json_extract_text('payload', 'author_association') }} as author_association,
    {{ streamgauge.iso_to_utc_timestamp(streamgauge.json_extract_text('payload', 'submitted_at')) }} as submitted_at,
    lower({{ streamgauge.json_extract_text('payload', 'commit_id') }}) as commit_id,
    fetched_at
from latest_reviews
