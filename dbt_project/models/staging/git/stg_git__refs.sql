{#- One row per current ref (branch, remote-tracking branch or tag) of each repository: the latest
    landed state of every ref that has not been deleted since. -#}
{%- set ref_fields = [
    'repository',
    'ref',
    'type',
    'sha',
    'object_sha',
    'tagger_date',
    'deleted',
] -%}

with latest_refs as (
    {{ streamgauge.latest_raw_records('git', 'git_refs') }}
),

parsed as (
    select latest_refs.*, {{ streamgauge.json_extract_texts('payload', ref_fields) }} as payload_texts
    from latest_refs
),

flattened as (
    select
        source,
        lower(coalesce(parent_id, {{ streamgauge.json_text_in('payload_texts', ref_fields, 'repository') }})) as repository,
        coalesce({{ streamgauge.json_text_in('payload_texts', ref_fields, 'ref') }}, record_id) as ref,
        {{ streamgauge.json_text_in('payload_texts', ref_fields, 'type') }} as ref_type,
        lower({{ streamgauge.json_text_in('payload_texts', ref_fields, 'sha') }}) as sha,
        lower({{ streamgauge.json_text_in('payload_texts', ref_fields, 'object_sha') }}) as object_sha,
        {{ streamgauge.iso_to_utc_timestamp(streamgauge.json_text_in('payload_texts', ref_fields, 'tagger_date')) }} as tagger_at,
        coalesce({{ streamgauge.safe_cast_boolean(streamgauge.json_text_in('payload_texts', ref_fields, 'deleted')) }}, false) as is_deleted,
        fetched_at
    from parsed
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
