{#- One row per release (latest landed version). -#}
with latest_releases as (
    {{ streamgauge.latest_raw_records('github', 'github_releases') }}
)

select
    source,
    coalesce({{ streamgauge.json_extract_text('payload', 'id') }}, record_id) as release_id,
    lower(coalesce(parent_id, {{ streamgauge.regex_extract(streamgauge.json_extract_text('payload', 'url'), "'/repos/([^/]+/[^/]+)/'", 1) }})) as repository,
    {{ streamgauge.json_extract_text('payload', 'tag_name') }} as tag_name,
    {{ streamgauge.json_extract_text('payload', 'target_commitish') }} as target_commitish,
    {{ streamgauge.json_extract_text('payload', 'name') }} as release_name,
    coalesce({{ streamgauge.safe_cast_boolean(streamgauge.json_extract_text('payload', 'draft')) }}, false) as is_draft,
    coalesce({{ streamgauge.safe_cast_boolean(streamgauge.json_extract_text('payload', 'prerelease')) }}, false) as is_prerelease,
    {{ streamgauge.json_extract_text('payload', 'author.login') }} as author_login,
    {{ streamgauge.iso_to_utc_timestamp(streamgauge.json_extract_text('payload', 'created_at')) }} as created_at,
    {{ streamgauge.iso_to_utc_timestamp(streamgauge.json_extract_text('payload', 'published_at')) }} as published_at,
    fetched_at
from latest_releases
