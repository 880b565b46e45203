"""The report document: DORA tiles, the headline, the HTML around the charts, and what it does
when the marts hold nothing yet."""

from __future__ import annotations

import re
from datetime import date, datetime

import duckdb
import pandas as pd

from orchestration.reporting.charts import Chart, mark, new_figure, styled
from orchestration.reporting.dora import ServiceDora, dora_tiles
from orchestration.reporting.lead_time import StageTime
from orchestration.reporting.report import (
    CSP,
    Report,
    Section,
    build_report,
    chart_markdown,
    dora_tiles_html,
    headline,
    render_html,
)
from tests.support.report_rows import aging_item, forecast_row


def service(name: str = "*", **overrides) -> ServiceDora:
    values = {
        "service": name,
        "period_start": date(2026, 10, 1),
        "deployment_count": 67,
        "median_deployment_days_per_week": 6.0,
        "lead_time_median_hours": 86.4,
        "lead_time_n": 244,
        "change_fail_rate": 0.06,
        "change_fail_n": 67,
        "recovery_median_hours": 1.4,
        "recovery_n": 4,
        "deployment_rework_rate": 0.0,
        "deployment_frequency_level_2023": "elite",
        "lead_time_level_2023": "high",
        "change_fail_level_2023": "high",
        "recovery_level_2023": None,
        "deployment_frequency_level_2021": "high",
        "lead_time_level_2021": "high",
        "change_fail_level_2021": "elite",
        "recovery_level_2021": None,
    }
    return ServiceDora(**{**values, **overrides})


def test_dora_tiles_give_each_metric_with_both_years_levels():
    tiles = {t.metric: t for t in dora_tiles(service())}
    assert list(tiles) == [
        "Deployment frequency",
        "Change lead time",
        "Change fail rate",
        "Recovery time",
        "Deployment rework rate",
    ]
    assert (tiles["Deployment frequency"].value, tiles["Deployment frequency"].level_2023) == (
        "6.0 days/week",
        "elite",
    )
    assert tiles["Deployment frequency"].level_2021 == "high"
    assert (tiles["Change lead time"].value, tiles["Change lead time"].n) == ("3.6 days", 244)
    assert (tiles["Change fail rate"].value, tiles["Change fail rate"].level_2021) == ("6.0 %", "elite")
    assert tiles["Recovery time"].value == "1.4 h" and tiles["Recovery time"].level_2023 is None
    empty = {
        t.metric: t.value for t in dora_tiles(service(lead_time_median_hours=None, change_fail_rate=None))
    }
    assert empty["Change lead time"] == "—" and empty["Change fail rate"] == "—"


def test_dora_tiles_html_says_why_a_level_is_missing():
    markup = dora_tiles_html([service("payments-api"), service("*")])
    assert markup.index("All services — October 2026") < markup.index("payments-api — October 2026")
    assert '<span class="level elite" title="DORA 2023 band">2023: elite</span>' in markup
    assert '<span class="level high" title="DORA 2021 band">2021: high</span>' in markup
    assert "2023: — (n = 4 &lt; 5)" in markup  # recovery: too few incidents for a level
    assert markup.count('class="tile"') == 10
    running = dora_tiles_html([service("*", is_period_complete=False)])
    assert "October 2026 (so far)" in running


@styled
def small_figure():
    fig, ax = new_figure(3, 2)
    mark(ax.plot([1, 2], [1, 2]))
    return fig


def report(*charts: Chart, sections: list[Section] | None = None) -> Report:
    return Report(
        "Value stream report",
        datetime(2026, 11, 1),
        "data/streamgauge.duckdb",
        ["Line <one> & two."],
        sections or [Section("s", "A section", list(charts))],
    )


def test_render_html_is_one_self_contained_document():
    charts = [Chart(f"c{n}", f"Chart {n}", "Read <it> this way.", small_figure(), ["a note"]) for n in (1, 2)]
    document = render_html(report(*charts))
    assert document.startswith("<!DOCTYPE html>")
    assert f'content="{CSP}"' in document and "default-src 'none'" in CSP
    assert 'data-chart-count="2"' in document
    assert document.count('<figure class="chart"') == 2 and document.count("<svg") == 2
    assert "Read &lt;it&gt; this way." in document and "Line &lt;one&gt; &amp; two." in document
    assert "<script" not in document
    # nothing to fetch: no src, no link, no url() other than fragment references
    assert not re.search(r"\bsrc=|<link|url\((?!#)|@import", document)
    assert not re.findall(r'(?:href|src)="(?!#)[^"]*"', document)
    assert "as of 01 November 2026 00:00 UTC" in document


def test_render_html_says_when_a_section_has_nothing_yet():
    document = render_html(report(sections=[Section("dora", "DORA", empty="No deployments recorded yet.")]))
    assert '<p class="empty">No deployments recorded yet.</p>' in document
    assert 'data-chart-count="0"' in document


def test_chart_markdown_carries_the_png_and_the_reading_line():
    markdown = chart_markdown(Chart("c", "Throughput", "Read it.", small_figure(), ["Latest 3."]))
    assert markdown.startswith("**Throughput** — Read it.")
    assert "![Throughput](data:image/png;base64,iVBORw0KGgo" in markdown
    assert markdown.endswith("- Latest 3.")


def test_a_report_on_empty_marts_has_no_chart_and_says_so():
    with duckdb.connect() as con:
        con.execute("CREATE SCHEMA marts")
        built = build_report(con, target_lead_time_days=20)
    assert built.charts == [] and built.headline == []
    document = render_html(built)
    assert document.count('class="empty"') == len(built.sections) == 6  # no ROI section without outcomes
    assert "no data yet" in document


def test_headline_names_the_prime_delay_forecast_signals_and_dora_levels():
    stages = [
        StageTime("Discovery", 1, 480.0, 50.0, 240.0, 10, 10, True),
        StageTime("Dev", 2, 480.0, 50.0, 240.0, 10, 10, False),
    ]
    aging = pd.DataFrame({"age_percentile_passed": ["none", "p85", "p95", None]})
    forecast = pd.DataFrame(
        [{"value_stream": "all", "target_items": 12, "when_done_p85_date": date(2026, 11, 20)}]
    )
    quiet = pd.DataFrame({"is_signal": [True] + [False] * 8})
    loud = pd.DataFrame({"is_signal": [False, True]})
    lines = headline(
        stages,
        15,
        {
            "period_start": date(2026, 10, 1),
            "flow_velocity_items": 30,
            "flow_time_p50_hours": 72.0,
            "flow_time_p85_hours": 240.0,
        },
        aging,
        {"stage": "Review", "wait_pct": 41.2, "window_days": 90},
        forecast,
        {"lead_time_hours": quiet, "weekly_deployments": loud},
        [service("*")],
    )
    assert lines == [
        "Completed items take 20.0 days from creation to done on average — over the 15-day target; "
        "the prime delay is Discovery (50 % of the lead time).",
        "October 2026: 30 items finished, flow time median 3.0 days, 85th percentile 10.0 days.",
        "4 items are in progress; 2 of them are older than 85 % of recently finished work (aging WIP).",
        "Constraint: most waiting happens in front of Review (41 % of the waiting hours in the last 90 "
        "days).",
        "Forecast: the 12 open items are done by 20 November 2026 with 85 % confidence.",
        "Signals in the latest points: deployments per week — look for the cause.",
        "DORA, all services, October 2026 (2023 levels): deployment frequency elite, change lead time high, "
        "change fail rate high, recovery time —.",
    ]


def test_headline_without_signals_says_routine_variation():
    quiet = {"weekly_throughput_items": pd.DataFrame({"is_signal": [False] * 3})}
    lines = headline([], None, None, pd.DataFrame(), None, pd.DataFrame(), quiet, [])
    assert lines == [
        "No process behaviour chart shows a signal in its latest points: routine variation only."
    ]


def test_a_report_on_hundreds_of_streams_draws_the_largest_and_says_where_the_rest_are():
    streams = [f"S{n:02d}" for n in range(1, 16)]  # S15 has the most open items, S01 the fewest
    aging = pd.DataFrame(
        aging_item(k, stream, "Dev", 1, k, "none")
        for number, stream in enumerate(streams, start=1)
        for k in range(1, number + 1)
    )
    forecasts = pd.DataFrame(
        forecast_row(stream, open_items)
        for stream, open_items in [*zip(streams, range(1, 16), strict=True), ("all", 120)]
    )
    dora = pd.DataFrame(
        {**vars(service(name, deployment_count=count)), "period_grain": "month", "dora_min_n": 5}
        for name, count in [*zip(streams, range(1, 16), strict=True), ("*", 120)]
    )
    with duckdb.connect() as con:
        con.execute("CREATE SCHEMA marts")
        for table, frame in (("aging_wip", aging), ("forecasts", forecasts), ("dora_metrics", dora)):
            con.register("frame", frame)
            con.execute(f"CREATE TABLE marts.{table} AS SELECT * FROM frame")
            con.unregister("frame")
        built = build_report(con)
    charts = {chart.key: chart for chart in built.charts}
    largest_twelve = [f"S{n:02d}" for n in range(15, 3, -1)]

    panels = [ax.get_title(loc="left") for ax in charts["aging-wip"].figure.axes if ax.get_visible()]
    assert [title.split(":")[0] for title in panels] == sorted(largest_twelve)
    assert charts["aging-wip"].notes[-1] == (
        "Showing the 12 largest of 15 value streams by open items; marts.aging_wip has every one."
    )
    assert "120 items are in progress" in built.headline[0]  # the headline counts every stream

    when = charts["forecast"].figure.axes[0]
    labels = [label.get_text().split(" ")[0] for label in when.get_yticklabels()]
    assert labels == [*sorted(largest_twelve), "all"]
    assert "Showing the 12 largest of 15 value streams by open items; marts.forecasts has every one." in (
        charts["forecast"].notes
    )

    dora_html = next(section.html for section in built.sections if section.key == "dora")
    assert dora_html.count('class="service"') == 13  # all services and the 12 with the most deployments
    assert "S03 — October 2026" not in dora_html and "S04 — October 2026" in dora_html
    assert "Showing the 12 largest of 15 services by deployments; marts.dora_metrics has every one." in (
        dora_html
    )
