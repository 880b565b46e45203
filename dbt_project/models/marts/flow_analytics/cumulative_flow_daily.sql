{#- The cumulative flow diagram: one row per local day, value stream (and 'all') and band — every
    stage of the `stages` seed in process order, then Done — on a gap-free spine.

    item_count is the number of flow items in the band at the end of the day (as flow_load_daily
    reads it): open items (created, neither completed nor canceled; in flow or still in the
    backlog) by the stage they are held in; Done counts every item completed by then (by its
    final completion), so it only grows. Canceled items leave the diagram when canceled.
    items_reached_count adds the later bands: the height of the band's line in the stacked chart. -#}
with item_days as (
    select * from {{ ref('int_flow_item_days_sampled') }}
),

days as (
    select day, measured_at, is_partial_day
    from {{ ref('int_reporting_days_spined') }}
),

items as (
    select coalesce(project_key, '(none)') as value_stream, flow_end_at
    from {{ ref('int_flow_items_measured') }}
),

streams as (
    select distinct value_stream from items
    union all
    select 'all' as value_stream
),

stages as (
    select stage, stage_order from {{ ref('stages') }}
),

bands as (
    select stage as band, stage_order as band_order from stages
    union all
    select 'Done' as band, max(stage_order) + 1 as band_order from stages
),

open_counts as (
    select
        item_days.day,
        case when rollup.is_total then 'all' else item_days.value_stream end as value_stream,
        item_days.stage as band,
        count(*) as item_count
    from item_days
    cross join ({{ streamgauge.stream_rollup() }}) as rollup
    group by 1, 2, 3
),

done_counts as (
    select
        days.day,
        case when rollup.is_total then 'all' else items.value_stream end as value_stream,
        'Done' as band,
        count(*) as item_count
    from days
    inner join items
        on items.flow_end_at < days.measured_at
    cross join ({{ streamgauge.stream_rollup() }}) as rollup
    group by 1, 2
),

counts as (
    select * from open_counts
    union all
    select * from done_counts
),

spined as (
    select
        days.day,
        days.measured_at,
        days.is_partial_day,
        streams.value_stream,
        bands.band,
        bands.band_order,
        cast(coalesce(counts.item_count, 0) as integer) as item_count
    from days
    cross join streams
    cross join bands
    left join counts
        on counts.day = days.day
        and counts.value_stream = streams.value_stream
        and counts.band = bands.band
)

select
    spined.*,
    cast(sum(item_count) over (
        partition by day, value_stream order by band_order desc rows between unbounded preceding and current row
    ) as integer) as items_reached_count
from spined
