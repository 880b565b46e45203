{{ config(store_failures=true) }}
{#- Every production deployment's change set is disjoint from the previous one's (same service and
    repository): a commit the previous deployment shipped was already reachable from its SHA.
    Returns the commits found in both. -#}
select
    current_set.deployment_id,
    previous_set.deployment_id as previous_deployment_id,
    current_set.sha
from {{ ref('int_deployment_change_sets_computed') }} as current_set
inner join {{ ref('int_deployment_change_sets_computed') }} as previous_set
    on previous_set.service = current_set.service
    and previous_set.repository = current_set.repository
    and previous_set.stream_index = current_set.stream_index - 1
    and previous_set.sha = current_set.sha
