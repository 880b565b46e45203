"""Publish: the checked marts become readable by everyone, atomically."""

import dagster as dg

from orchestration.defs.transform import built_as_of, mart_asset_keys
from orchestration.progress import reporter
from orchestration.publish import Publication, publish_schema
from orchestration.resources import StreamgaugeResource


@dg.asset(
    key=["published", "marts"],
    deps=mart_asset_keys(),
    group_name="published",
    kinds={"duckdb"},
    pool="warehouse",
    description="The published marts file readers connect to; replaced only after every check passed.",
)
def published_marts(
    context: dg.AssetExecutionContext, streamgauge: StreamgaugeResource
) -> dg.MaterializeResult:
    target = streamgauge.settings.warehouse.published_path
    publication = Publication(as_of=built_as_of(context), run_id=context.run.run_id)
    with streamgauge.connect() as con:
        tables = publish_schema(con, target, publication=publication)
    reporter(context, "publish")(f"published {len(tables)} marts to {target}")
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(target)),
            "publication_id": publication.publication_id,
            "rows": dg.MetadataValue.json({t.name: t.rows for t in tables}),
        }
    )
