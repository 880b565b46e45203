{#- Change sets by git ancestry, for every deployment stream at once.

    `tips` is a relation or parenthesised query with one row per deployment of a stream, in the
    stream's order: stream_key, stream_index (0, 1, 2 … without gaps), repository, sha — the SHA
    must be a commit of `commits` (a relation with repository, sha). `edges` has one row per
    (repository, sha, parent_sha) whose parent is also such a commit.

    Returns one row per (stream_key, stream_index, repository, sha) where the commit `sha` is
    reachable from deployment `stream_index`'s SHA and not from the SHA of deployment
    `stream_index - 1` of the same stream (`git rev-list <new> ^<previous>`; for index 0, all its
    history), with `is_first_deployment`: no earlier deployment of the stream reached the commit.

    The result is exact for any history (merges, long-lived branches, rollbacks to old SHAs,
    deployments of side branches). How each database computes it is its own business. -#}
{% macro deployment_change_sets(tips, edges) -%}
    {{- return(adapter.dispatch('deployment_change_sets', 'streamgauge')(tips, edges)) -}}
{%- endmacro %}

{#- DuckDB: one pass over each stream's history with a bitmap per commit.

    Every commit gets the set S(c) of the stream's deployments whose SHA reaches it, as a BIT
    string (bit k = deployment k): S(c) = OR of S over c's children, plus the deployments of c
    itself. The sets are propagated from the tips towards the roots in reverse topological order
    (Kahn's algorithm: a commit is final once all of its children in the reachable history have
    handed theirs down), so every commit and edge is handled once per stream: O(commits + edges)
    row operations of (deployments / 8) bytes each, in as many recursion steps as the longest path
    of the history — not O(deployments × history) walks.

    Then c is in deployment k's change set exactly when bit k is set and bit k − 1 is not (a
    "rising edge": S & ~(S >> 1), and bit 0 alone for the first deployment), and the first
    deployment that reached it is its first set bit. The rising edges of a commit are few (one,
    unless deployments went back and forth), and are read off one at a time. Uses DuckDB's BIT
    type, aggregates inside a recursive term, and `set_bit`/`bit_position`/`bit_count`. -#}
{% macro duckdb__deployment_change_sets(tips, edges) %}
with recursive
stream_tips as (
    select stream_key, cast(stream_index as integer) as stream_index, repository, sha from {{ tips }}
),

streams as (
    select stream_key, cast(max(stream_index) + 1 as integer) as width
    from stream_tips
    group by stream_key
),

-- every commit reachable from some deployment of the stream
reach(stream_key, repository, sha) as (
    select distinct stream_key, repository, sha from stream_tips
    union
    select reach.stream_key, reach.repository, edges.parent_sha
    from reach
    inner join {{ edges }} as edges
        on edges.repository = reach.repository
        and edges.sha = reach.sha
),

child_counts as (
    select reach.stream_key, edges.repository, edges.parent_sha as sha, count(*) as child_count
    from reach
    inner join {{ edges }} as edges
        on edges.repository = reach.repository
        and edges.sha = reach.sha
    group by reach.stream_key, edges.repository, edges.parent_sha
),

own_bits as (
    select
        stream_tips.stream_key,
        stream_tips.repository,
        stream_tips.sha,
        bit_or(set_bit(bitstring('0'::bit, streams.width), stream_tips.stream_index, 1)) as bits
    from stream_tips
    inner join streams on streams.stream_key = stream_tips.stream_key
    group by stream_tips.stream_key, stream_tips.repository, stream_tips.sha
),

nodes as (
    select
        reach.stream_key,
        reach.repository,
        reach.sha,
        coalesce(child_counts.child_count, 0) as child_count,
        coalesce(own_bits.bits, bitstring('0'::bit, streams.width)) as own_bits
    from reach
    inner join streams on streams.stream_key = reach.stream_key
    left join child_counts
        on child_counts.stream_key = reach.stream_key
        and child_counts.repository = reach.repository
        and child_counts.sha = reach.sha
    left join own_bits
        on own_bits.stream_key = reach.stream_key
        and own_bits.repository = reach.repository
        and own_bits.sha = reach.sha
),

-- reverse topological propagation; a row is either final (is_final) or still waiting for some
-- of its children (carried to the next step with what it has received so far)
propagated(stream_key, repository, sha, bits, children_done, is_final) as (
    select stream_key, repository, sha, own_bits, 0, true
    from nodes
    where child_count = 0
    union all
    (
        with handed_down as (
            select propagated.stream_key, propagated.repository, edges.parent_sha as sha,
                   propagated.bits, 1 as children_done
            from propagated
            inner join {{ edges }} as edges
                on edges.repository = propagated.repository
                and edges.sha = propagated.sha
            where propagated.is_final
            union all
            select stream_key, repository, sha, bits, children_done
            from propagated
            where not is_final
        ),

        -- summed before the join with nodes: an aggregate over that join lets DuckDB pre-aggregate
        -- all of nodes in every step (partial aggregate pushdown), which made 40 copies of the
        -- demo history 60 times as slow as 20
        received as (
            select stream_key, repository, sha, bit_or(bits) as bits, cast(sum(children_done) as integer) as children_done
            from handed_down
            group by stream_key, repository, sha
        )

        select
            received.stream_key,
            received.repository,
            received.sha,
            received.bits | nodes.own_bits,
            received.children_done,
            received.children_done = nodes.child_count
        from received
        inner join nodes
            on nodes.stream_key = received.stream_key
            and nodes.repository = received.repository
            and nodes.sha = received.sha
    )
),

reached as (
    select stream_key, repository, sha, bits
    from propagated
    where is_final
),

-- the set bits of S & ~(S >> 1), one per step
rising(stream_key, repository, sha, first_index, remaining, stream_index) as (
    select stream_key, repository, sha, bit_position('1'::bit, bits) - 1, bits & ~(bits >> 1),
           cast(null as integer)
    from reached
    union all
    select stream_key, repository, sha, first_index,
           set_bit(remaining, bit_position('1'::bit, remaining) - 1, 0),
           bit_position('1'::bit, remaining) - 1
    from rising
    where bit_count(remaining) > 0
)

select
    stream_key,
    cast(stream_index as integer) as stream_index,
    repository,
    sha,
    stream_index = first_index as is_first_deployment
from rising
where stream_index is not null
{% endmacro %}

{#- Elsewhere: the literal definition, for every deployment separately — everything reachable
    from its SHA, minus everything reachable from the previous one's. Correct, but
    O(deployments × history): fine for small histories, slow for big ones. -#}
{% macro default__deployment_change_sets(tips, edges) %}
with recursive
stream_tips as (
    select stream_key, cast(stream_index as integer) as stream_index, repository, sha from {{ tips }}
),

reach(stream_key, stream_index, repository, sha) as (
    select stream_key, stream_index, repository, sha from stream_tips
    union
    select reach.stream_key, reach.stream_index, reach.repository, edges.parent_sha
    from reach
    inner join {{ edges }} as edges
        on edges.repository = reach.repository
        and edges.sha = reach.sha
),

first_reached as (
    select stream_key, repository, sha, min(stream_index) as first_index
    from reach
    group by stream_key, repository, sha
)

select
    reach.stream_key,
    reach.stream_index,
    reach.repository,
    reach.sha,
    reach.stream_index = first_reached.first_index as is_first_deployment
from reach
inner join first_reached
    on first_reached.stream_key = reach.stream_key
    and first_reached.repository = reach.repository
    and first_reached.sha = reach.sha
where not exists (
    select 1
    from reach as previous
    where previous.stream_key = reach.stream_key
        and previous.stream_index = reach.stream_index - 1
        and previous.repository = reach.repository
        and previous.sha = reach.sha
)
{% endmacro %}
