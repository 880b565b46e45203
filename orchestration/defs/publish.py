"""Publish: the checked marts become readable by everyone, atomically."""

import dagster as dg

from orchestration.defs.transform import mart_asset_keys
from orchestration.progress import reporter
from orchestration.publish import publish_schema
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
    with streamgauge.connect() as con:
        tables = publish_schema(con, target)
    reporter(context, "publish")(f"published {len(tables)} marts to {target}")
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(target)),
            "rows": dg.MetadataValue.json({t.name: t.rows for t in tables}),
        }
    )
