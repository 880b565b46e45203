"""Reports drawn from the published marts."""

import dagster as dg
import duckdb

from orchestration.reporting.lead_time import (
    format_lead_time_table,
    read_lead_time_by_stage,
    render_lead_time_bar,
)
from orchestration.resources import StreamgaugeResource


@dg.asset(
    key=["reports", "lead_time_by_stage_png"],
    deps=[dg.AssetKey(["published", "marts"])],
    group_name="reports",
    kinds={"python"},
    description="The stacked lead-time bar (stages in process order, widest stage outlined, target line).",
)
def lead_time_chart(
    context: dg.AssetExecutionContext, streamgauge: StreamgaugeResource
) -> dg.MaterializeResult:
    settings = streamgauge.settings
    with duckdb.connect(str(settings.warehouse.published_path), read_only=True) as con:
        stages = read_lead_time_by_stage(con)
    path = render_lead_time_bar(
        stages, settings.warehouse.reports_dir / "lead_time_by_stage.png", settings.flow.target_lead_time_days
    )
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(path)),
            "lead_time_by_stage": dg.MetadataValue.md(f"```\n{format_lead_time_table(stages)}\n```"),
        }
    )
