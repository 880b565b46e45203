"""Reports drawn from the published marts."""

import dagster as dg
import duckdb

from orchestration.reporting.lead_time import (
    format_lead_time_table,
    read_lead_time_by_stage,
    render_lead_time_bar,
)
from orchestration.reporting.report import REPORT_FILE, chart_markdown, write_report
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


@dg.asset(
    key=["reports", "value_stream_report_html"],
    deps=[dg.AssetKey(["published", "marts"])],
    group_name="reports",
    kinds={"python", "html"},
    description=(
        "The value-stream report: one self-contained HTML file (inline SVG charts, no network needed) "
        "with the headline, the lead-time bar, the process behaviour charts of flow and DORA, the "
        "cumulative flow diagram, aging WIP, flow distribution, forecast, DORA tiles and the ROI top 10. "
        "Each chart is also in this asset's metadata."
    ),
)
def value_stream_report(
    context: dg.AssetExecutionContext, streamgauge: StreamgaugeResource
) -> dg.MaterializeResult:
    settings = streamgauge.settings
    path, report = write_report(
        settings.warehouse.published_path,
        settings.warehouse.reports_dir / REPORT_FILE,
        target_lead_time_days=settings.flow.target_lead_time_days,
    )
    context.log.info(f"value-stream report with {len(report.charts)} charts written to {path}")
    metadata: dict[str, dg.MetadataValue] = {
        "path": dg.MetadataValue.path(str(path)),
        "charts": dg.MetadataValue.int(len(report.charts)),
        "headline": dg.MetadataValue.md(
            "\n".join(f"- {line}" for line in report.headline) or "(no data yet)"
        ),
    }
    for chart in report.charts:
        metadata[f"chart: {chart.title}"] = dg.MetadataValue.md(chart_markdown(chart))
    return dg.MaterializeResult(metadata=metadata)
