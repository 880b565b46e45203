{#- One row per release (latest landed version). -#}
{%- set release_fields = [
    'id',
    'url',
    'tag_name',
    'target_commitish',
    'name',
    'draft',
    'prerelease',
    'author.login',
    'created_at',
    'published_at',
] -%}

with latest_releases as (
    {{ streamgauge.latest_raw_records('github', 'github_releases') }}
),

parsed as (
    select latest_releases.*, {{ streamgauge.json_extract_texts('payload', release_fields) }} as payload_texts
    from latest_releases
)

select
    source,
    coalesce({{ streamgauge.json_text_in('payload_texts', release_fields, 'id') }}, record_id) as release_id,
    lower(coalesce(parent_id, {{ streamgauge.regex_extract(streamgauge.json_text_in('payload_texts', release_fields, 'url'), "'/repos/([^/]+/[^/]+)/'", 1) }})) as repository,
    {{ streamgauge.json_text_in('payload_texts', release_fields, 'tag_name') }} as tag_name,
    {{ streamgauge.json_text_in('payload_texts', release_fields, 'target_commitish') }} as target_commitish,
    {{ streamgauge.json_text_in('payload_texts', release_fields, 'name') }} as release_name,
    coalesce({{ streamgauge.safe_cast_boolean(streamgauge.json_text_in('payload_texts', release_fields, 'draft')) }}, false) as is_draft,
    coalesce({{ streamgauge.safe_cast_boolean(streamgauge.json_text_in('payload_texts', release_fields, 'prerelease')) }}, false) as is_prerelease,
    {{ streamgauge.json_text_in('payload_texts', release_fields, 'author.login') }} as author_login,
    {{ streamgauge.iso_to_utc_timestamp(streamgauge.json_text_in('payload_texts', release_fields, 'created_at')) }} as created_at,
    {{ streamgauge.iso_to_utc_timestamp(streamgauge.json_text_in('payload_texts', release_fields, 'published_at')) }} as published_at,
    fetched_at
from parsed
