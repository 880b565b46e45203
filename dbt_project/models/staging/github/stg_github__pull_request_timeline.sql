{#- One row per pull request timeline event (latest landed version): committed, reviewed,
    review_requested, ready_for_review, convert_to_draft, head_ref_force_pushed, merged, closed … -#}
with latest_events as (
    {{ streamgauge.latest_raw_records('github', 'github_pull_request_timeline') }}
)

select
    source,
    record_id as event_key,
    parent_id as pull_request_id,
    lower({{ streamgauge.json_extract_text('payload', 'event') }}) as event,
    {{ streamgauge.json_extract_text('payload', 'actor.login') }} as actor_login,
    {{ streamgauge.iso_to_utc_timestamp("coalesce(" ~ streamgauge.json_extract_text('payload', 'created_at') ~ ", "
        ~ streamgauge.json_extract_text('payload', 'submitted_at') ~ ", "
        ~ streamgauge.json_extract_text('payload', 'committer.date') ~ ")") }} as created_at,
    lower(coalesce({{ streamgauge.json_extract_text('payload', 'commit_id') }},
                   {{ streamgauge.json_extract_text('payload', 'sha') }})) as commit_sha,
    fetched_at
from latest_events
