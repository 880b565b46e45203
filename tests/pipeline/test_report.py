"""The value-stream report the pipeline writes (the reports asset, downstream of the published marts):
every chart is there, the file needs nothing from a network, the Dagster asset shows each chart in
its metadata, and the summary names the file."""

from __future__ import annotations

import re

import dagster as dg
import pytest

from orchestration.cli import print_summary
from orchestration.defs.reports import value_stream_report
from orchestration.reporting.report import REPORT_FILE
from orchestration.resources import StreamgaugeResource

pytestmark = pytest.mark.pipeline

CHARTS = {
    "lead-time-by-stage",
    "xmr-lead-time-hours",
    "xmr-cycle-time-hours",
    "xmr-weekly-throughput-items",
    "xmr-weekly-average-wip-items",
    "xmr-weekly-deployments",
    "xmr-weekly-deployment-days",
    "xmr-weekly-change-lead-time-median-hours",
    "xmr-weekly-change-fail-rate-pct",
    "xmr-weekly-recovery-time-median-hours",
    "cumulative-flow",
    "aging-wip",
    "flow-distribution",
    "forecast",
    "roi-top-10",
}


@pytest.fixture(scope="module")
def report_path(flow_pipeline):
    return flow_pipeline.run.settings.warehouse.reports_dir / REPORT_FILE


def test_the_pipeline_writes_one_self_contained_report(flow_pipeline, report_path):
    document = report_path.read_text(encoding="utf-8")
    charts = re.findall(r'<figure class="chart" data-chart="([^"]+)">', document)
    assert set(charts) == CHARTS and len(charts) == len(CHARTS)
    assert f'data-chart-count="{len(CHARTS)}"' in document
    assert document.count("<svg") == len(CHARTS)
    assert "Content-Security-Policy" in document and "<script" not in document
    assert not re.search(r'\b(?:src|href)="(?!#)|url\((?!#)|@import', document), "a resource to fetch"
    assert document.count("How to read: ") == 1, "the label lives once, in the stylesheet"
    assert document.count('class="how"') == len(CHARTS) + 1
    with flow_pipeline.run.published() as con:
        widest = con.execute("SELECT stage FROM marts.lead_time_by_stage WHERE is_widest").fetchone()[0]
        levels = con.execute(
            """SELECT lead_time_level_2023, lead_time_level_2021 FROM marts.dora_metrics
               WHERE service = '*' AND period_grain = 'month'
               ORDER BY is_period_complete DESC, period_start DESC LIMIT 1"""
        ).fetchone()
    assert f"the prime delay is {widest}" in document
    tiles = document[document.index('<section id="dora">') :]
    for year, level in zip((2023, 2021), levels, strict=True):
        assert f"{year}: {level or '—'}" in tiles
    assert "All services — " in tiles and "payments-api — " in tiles


def test_the_report_asset_shows_every_chart_in_its_metadata(flow_pipeline, report_path):
    before = report_path.read_bytes()
    result = value_stream_report(
        context=dg.build_asset_context(),
        streamgauge=StreamgaugeResource(config_path=str(flow_pipeline.run.config_path)),
    )
    metadata = result.metadata
    assert metadata["path"].value == str(report_path)
    assert metadata["charts"].value == len(CHARTS)
    charts = {key: value.value for key, value in metadata.items() if key.startswith("chart: ")}
    assert len(charts) == len(CHARTS)
    for key, markdown in charts.items():
        assert "— " in markdown and "](data:image/png;base64,iVBORw0KGgo" in markdown, key
    assert "prime delay" in metadata["headline"].value
    assert report_path.read_bytes() == before, "the same marts draw the same report, byte for byte"


def test_the_summary_prints_where_the_report_is(flow_pipeline, report_path, capsys):
    print_summary(flow_pipeline.run.settings)
    assert f"Value-stream report (open it in a browser): {report_path}" in capsys.readouterr().out
