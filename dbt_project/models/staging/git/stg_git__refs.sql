{#- One row per current ref (branch, remote-tracking branch or tag) of each repository: the latest
    landed state of every ref that has not been deleted since. -#}
with latest_refs as (
    {{ streamgauge.latest_raw_records('git', 'git_refs') }}
),

flattened as (
    select
        source,
        lower(coalesce(parent_id, {{ streamgauge.json_extract_text('payload', 'repository') }})) as repository,
        coalesce({{ streamgauge.json_extract_text('payload', 'ref') }}, record_id) as ref,
        {{ streamgauge.json_extract_text('payload', 'type') }} as ref_type,
        lower({{ streamgauge.json_extract_text('payload', 'sha') }}) as sha,
        lower({{ streamgauge.json_extract_text('payload', 'object_sha') }}) as object_sha,
        {{ streamgauge.iso_to_utc_timestamp(streamgauge.json_extract_text('payload', 'tagger_date')) }} as tagger_at,
        coalesce({{ streamgauge.safe_cast_boolean(streamgauge.json_extract_text('payload', 'deleted')) }}, false) as is_deleted,
        fetched_at
    from latest_refs
)

select
    source,
    repository,
    ref,
    ref_type,
    case
        when ref like 'refs/heads/%' then substring(ref, 12)
        when ref like 'refs/tags/%' then substring(ref, 11)
        when ref like 'refs/remotes/%' then {{ streamgauge.regex_extract('ref', "'^refs/remotes/[^/]+/(.+)$'", 1) }}
        else ref
    end as ref_name,
    sha,
    object_sha,
    tagger_at,
    fetched_at
from flattened
where not is_deleted
