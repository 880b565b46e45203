"""The value-stream report: one self-contained HTML file a leader reads in two minutes.

Built from the published marts only (a read-only connection): a headline, then the stacked
lead-time bar, the process behaviour charts of flow and delivery, the cumulative flow diagram,
aging WIP, the flow distribution, the forecast, the DORA tiles and the ROI top 10. Charts are
inline SVG, styles inline, no script: the file opens anywhere without a network (a Content
Security Policy forbids every external load).

``build_report`` reads the marts and draws; ``render_html`` is a pure function of the result;
``chart_markdown`` gives a chart as Markdown with an inline PNG (Dagster asset metadata).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd

from orchestration.reporting.charts import Chart, figure_png_base64, figure_svg
from orchestration.reporting.dora import DoraTile, ServiceDora, dora_tiles, read_latest_month
from orchestration.reporting.flow import (
    AGING_HOW_TO_READ,
    CFD_HOW_TO_READ,
    DISTRIBUTION_HOW_TO_READ,
    aging_wip_figure,
    cumulative_flow_figure,
    flow_distribution_figure,
    read_aging_wip,
    read_cumulative_flow,
    read_flow_distribution,
    read_stages,
)
from orchestration.reporting.forecast import (
    FORECAST_HOW_TO_READ,
    forecast_figure,
    forecast_sentences,
    read_forecasts,
)
from orchestration.reporting.lead_time import (
    LEAD_TIME_HOW_TO_READ,
    StageTime,
    lead_time_figure,
    read_lead_time_by_stage,
    widest_stage,
)
from orchestration.reporting.outcomes import ROI_HOW_TO_READ, read_roi_top, roi_figure
from orchestration.reporting.streams import largest, shown_notes
from orchestration.reporting.xmr import (
    DORA_SERIES,
    FLOW_SERIES,
    RECENT_POINTS,
    XMR_HOW_TO_READ,
    XmrSeries,
    read_process_behaviour,
    series_points,
    signal_summary,
    xmr_figure,
)

REPORT_FILE = "value_stream_report.html"
ALL = "all"
STREAMS_BY_OPEN_ITEMS = "value streams by open items"


@dataclass
class Section:
    key: str
    title: str
    charts: list[Chart] = field(default_factory=list)
    html: str = ""  # extra markup (tiles, sentences), already escaped
    empty: str | None = None  # shown instead when the marts hold nothing for the section


@dataclass
class Report:
    title: str
    as_of: datetime | None
    source: str
    headline: list[str]
    sections: list[Section]

    @property
    def charts(self) -> list[Chart]:
        return [chart for section in self.sections for chart in section.charts]


# ---- reading the marts --------------------------------------------------------------------------


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {
        r[0]
        for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts'").fetchall()
    }


def _one(con, sql: str, params=()) -> dict | None:
    cursor = con.execute(sql, list(params))
    row = cursor.fetchone()
    return None if row is None else dict(zip([d[0] for d in cursor.description], row, strict=True))


def _days(hours: float | None) -> str:
    return "—" if hours is None or pd.isna(hours) else f"{hours / 24:.1f} days"


def headline(
    stages: list[StageTime],
    target_days: float | None,
    month: dict | None,
    aging: pd.DataFrame,
    constraint: dict | None,
    forecast: pd.DataFrame,
    xmr_points: dict[str, pd.DataFrame],
    dora: list[ServiceDora],
) -> list[str]:
    """The report's first lines: the few facts a leader acts on, each one sentence."""
    lines = []
    widest = widest_stage(stages)
    if widest:
        total = sum(s.mean_hours_per_item for s in stages) / 24
        against = ""
        if target_days:
            against = f" — {'within' if total <= target_days else 'over'} the {target_days:g}-day target"
        lines.append(
            f"Completed items take {total:.1f} days from creation to done on average{against}; "
            f"the prime delay is {widest.stage} ({widest.pct_of_lead_time:.0f} % of the lead time)."
        )
    if month:
        lines.append(
            f"{pd.Timestamp(month['period_start']):%B %Y}: {month['flow_velocity_items']} items finished, "
            f"flow time median {_days(month['flow_time_p50_hours'])}, 85th percentile "
            f"{_days(month['flow_time_p85_hours'])}."
        )
    if len(aging):
        old = int(aging["age_percentile_passed"].isin(["p85", "p95"]).sum())
        lines.append(
            f"{len(aging)} items are in progress; {old} of them are older than 85 % of recently finished "
            "work (aging WIP)."
        )
    if constraint:
        lines.append(
            f"Constraint: most waiting happens in front of {constraint['stage']} "
            f"({constraint['wait_pct']:.0f} % of the waiting hours in the last "
            f"{constraint['window_days']} days)."
        )
    total = forecast[forecast["value_stream"] == ALL] if len(forecast) else forecast
    if len(total) and pd.notna(total["when_done_p85_date"].iloc[0]):
        r = total.iloc[0]
        lines.append(
            f"Forecast: the {r['target_items']} open items are done by "
            f"{pd.Timestamp(r['when_done_p85_date']):%d %B %Y} with 85 % confidence."
        )
    signalled = [
        spec.title.lower()
        for spec in (*FLOW_SERIES, *DORA_SERIES)
        if spec.series in xmr_points and xmr_points[spec.series].tail(RECENT_POINTS)["is_signal"].any()
    ]
    if xmr_points:
        lines.append(
            "Signals in the latest points: " + ", ".join(signalled) + " — look for the cause."
            if signalled
            else "No process behaviour chart shows a signal in its latest points: routine variation only."
        )
    overall = next((s for s in dora if s.service == "*"), None)
    if overall:
        levels = ", ".join(
            f"{t.metric.lower()} {t.level_2023 or '—'}"
            for t in dora_tiles(overall)
            if t.metric != "Deployment rework rate"
        )
        lines.append(f"DORA, all services, {overall.period_start:%B %Y} (2023 levels): {levels}.")
    return lines


def _xmr_chart(spec: XmrSeries, points: pd.DataFrame, prefix: str, what: str) -> Chart:
    figure, events = xmr_figure(points, f"{spec.title} — {what}")
    unit = str(points["value_unit"].iloc[0])
    notes = [signal_summary(points, unit)]
    if events:
        notes.append("Events: " + " · ".join(events))
    return Chart(f"{prefix}-{spec.series.replace('_', '-')}", spec.title, XMR_HOW_TO_READ, figure, notes)


def build_report(
    con: duckdb.DuckDBPyConnection,
    *,
    target_lead_time_days: float | None = None,
    source: str = "",
    value_stream: str = ALL,
) -> Report:
    """Read the published marts through ``con`` and draw every chart."""
    tables = _tables(con)
    has = tables.__contains__
    sections: list[Section] = []
    as_of = None
    if has("flow_metrics"):
        as_of = con.execute("SELECT max(as_of) FROM marts.flow_metrics").fetchone()[0]

    # where the time goes
    stages = read_lead_time_by_stage(con) if has("lead_time_by_stage") else []
    section = Section("lead-time", "Where the time goes")
    if stages and stages[0].items_in_window:
        window = con.execute(
            "SELECT min(window_start_at), min(window_end_at) FROM marts.lead_time_by_stage"
        ).fetchone()
        chart = Chart(
            "lead-time-by-stage",
            "Lead time by stage",
            LEAD_TIME_HOW_TO_READ,
            lead_time_figure(stages, target_lead_time_days),
            [f"Items completed {window[0]:%d %b %Y} – {window[1]:%d %b %Y}."] if window[0] else [],
        )
        section.charts.append(chart)
    else:
        section.empty = "No completed items in the lead-time window yet."
    sections.append(section)

    # process behaviour: flow, then delivery
    points = read_process_behaviour(con, value_stream) if has("process_behaviour") else pd.DataFrame()
    by_series = {s: series_points(points, s) for s in points["series"].unique()} if len(points) else {}
    for key, title, specs, what in (
        ("flow-xmr", "Is flow predictable? Process behaviour charts", FLOW_SERIES, "all value streams"),
        ("dora-xmr", "Delivery over time: weekly DORA process behaviour charts", DORA_SERIES, "all services"),
    ):
        section = Section(key, title)
        section.charts = [
            _xmr_chart(spec, by_series[spec.series], "xmr", what)
            for spec in specs
            if spec.series in by_series
        ]
        if not section.charts:
            section.empty = "No series to chart yet."
        sections.append(section)

    # work in progress
    section = Section("wip", "Work in progress")
    cfd = read_cumulative_flow(con, value_stream) if has("cumulative_flow_daily") else pd.DataFrame()
    if len(cfd):
        section.charts.append(
            Chart("cumulative-flow", "Cumulative flow diagram", CFD_HOW_TO_READ, cumulative_flow_figure(cfd))
        )
    aging = read_aging_wip(con) if has("aging_wip") else pd.DataFrame()
    if len(aging):
        oldest = aging.sort_values("age_hours", ascending=False).head(5)
        open_by_stream = aging["value_stream"].value_counts()
        aging_streams = largest(open_by_stream)
        section.charts.append(
            Chart(
                "aging-wip",
                "Aging work in progress",
                AGING_HOW_TO_READ,
                aging_wip_figure(
                    aging[aging["value_stream"].isin(aging_streams)],
                    read_stages(con) if has("lead_time_by_stage") else None,
                ),
                [
                    "Oldest: "
                    + ", ".join(
                        f"{r.issue_key} ({r.stage}, {r.age_hours / 24:.0f} d)" for r in oldest.itertuples()
                    )
                    + ".",
                    *shown_notes(len(aging_streams), len(open_by_stream), STREAMS_BY_OPEN_ITEMS, "aging_wip"),
                ],
            )
        )
    if not section.charts:
        section.empty = "No work in progress recorded yet."
    sections.append(section)

    # what gets finished, and when the rest will be
    section = Section("delivery", "What we finish, and when the rest will be done")
    distribution = read_flow_distribution(con, value_stream) if has("flow_metrics") else pd.DataFrame()
    if len(distribution) and distribution["flow_velocity_items"].sum() > 0:
        section.charts.append(
            Chart(
                "flow-distribution",
                "Flow distribution",
                DISTRIBUTION_HOW_TO_READ,
                flow_distribution_figure(distribution),
            )
        )
    forecast = read_forecasts(con) if has("forecasts") else pd.DataFrame()
    usable = forecast[~forecast["is_small_sample"].astype(bool)] if len(forecast) else forecast
    if len(usable):
        r = usable.iloc[0]
        open_by_stream = forecast[forecast["value_stream"] != ALL].set_index("value_stream")["target_items"]
        forecast_streams = largest(open_by_stream)
        shown = forecast[forecast["value_stream"].isin([ALL, *forecast_streams])]
        section.charts.append(
            Chart(
                "forecast",
                "Forecast",
                FORECAST_HOW_TO_READ,
                forecast_figure(shown),
                forecast_sentences(shown)
                + shown_notes(len(forecast_streams), len(open_by_stream), STREAMS_BY_OPEN_ITEMS, "forecasts")
                + [
                    f"{int(r['trials']):,} Monte Carlo trials replaying the daily throughput of "
                    f"{pd.Timestamp(r['sample_start_date']):%d %b} – "
                    f"{pd.Timestamp(r['sample_end_date']):%d %b %Y} "
                    "(days with no completion included)."
                ],
            )
        )
    if not section.charts:
        section.empty = "Not enough completed work to show a distribution or a forecast yet."
    sections.append(section)

    # DORA
    dora = read_latest_month(con) if has("dora_metrics") else []
    section = Section("dora", "Delivery performance (DORA)")
    if dora:
        deployments = pd.Series({s.service: s.deployment_count for s in dora if s.service != "*"}, dtype=int)
        dora_services = largest(deployments)
        notes = shown_notes(len(dora_services), len(deployments), "services by deployments", "dora_metrics")
        shown_dora = [s for s in dora if s.service == "*" or s.service in dora_services]
        section.html = dora_tiles_html(shown_dora) + "".join(
            f'<ul class="notes"><li>{_e(line)}</li></ul>' for line in notes
        )
    else:
        section.empty = "No deployments recorded yet (connect Git, GitHub and PagerDuty)."
    sections.append(section)

    # outcomes
    roi = read_roi_top(con)
    if len(roi):
        sections.append(
            Section(
                "roi",
                "Return on work: ROI top 10",
                [Chart("roi-top-10", "ROI top 10", ROI_HOW_TO_READ, roi_figure(roi))],
            )
        )

    month = None
    if has("flow_metrics"):
        month = _one(
            con,
            """SELECT period_start, flow_velocity_items, flow_time_p50_hours, flow_time_p85_hours
               FROM marts.flow_metrics
               WHERE value_stream = ? AND flow_item_type = 'all' AND period_grain = 'month'
                 AND is_complete_period
               ORDER BY period_start DESC LIMIT 1""",
            [value_stream],
        )
    constraint = None
    if has("constraints"):
        constraint = _one(
            con,
            """SELECT stage, wait_pct, window_days FROM marts.constraints
               WHERE value_stream = ? AND is_most_waiting_stage""",
            [value_stream],
        )
    lines = headline(stages, target_lead_time_days, month, aging, constraint, forecast, by_series, dora)
    return Report("Value stream report", as_of, source, lines, sections)


# ---- HTML ---------------------------------------------------------------------------------------

CSS = """
:root { --ink: #1a1a1a; --muted: #5f6368; --line: #dadce0; --paper: #ffffff; --wash: #f6f7f9; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
       color: var(--ink); background: var(--wash); }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 48px; background: var(--paper); }
header h1 { margin: 0 0 4px; font-size: 26px; }
header p { margin: 0; color: var(--muted); }
.headline { margin: 18px 0 8px; padding: 14px 18px 14px 34px; background: #eef4fb;
            border-left: 4px solid #0072B2; }
.headline li { margin: 3px 0; }
section { margin-top: 34px; }
section > h2 { font-size: 20px; margin: 0 0 10px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
figure.chart { margin: 0 0 26px; }
figure.chart h3 { margin: 0; font-size: 16px; }
figure.chart .how { margin: 2px 0 6px; color: var(--muted); font-size: 13.5px; }
figure.chart .how::before { content: "How to read: "; font-weight: 600; color: var(--ink); }
svg.plot { display: block; width: 100%; height: auto; }
ul.notes { margin: 4px 0 0; padding-left: 18px; font-size: 13px; color: var(--muted); }
.empty { color: var(--muted); font-style: italic; }
.service { margin: 14px 0 4px; font-weight: 600; }
.tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(205px, 1fr)); gap: 10px; }
.tile { border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; background: var(--paper); }
.tile .metric { font-size: 12.5px; color: var(--muted); text-transform: uppercase; letter-spacing: .03em; }
.tile .value { font-size: 22px; font-weight: 650; margin: 2px 0; }
.tile .detail { font-size: 12px; color: var(--muted); min-height: 2.4em; }
.levels { margin-top: 6px; display: flex; gap: 6px; flex-wrap: wrap; }
.level { font-size: 12px; padding: 1px 7px; border-radius: 10px; background: #e8eaed; color: var(--ink); }
.level.elite { background: #009E73; color: #fff; } .level.high { background: #56B4E9; color: #000; }
.level.medium { background: #E69F00; color: #000; } .level.low { background: #C8102E; color: #fff; }
footer { margin-top: 36px; font-size: 12.5px; color: var(--muted); }
@media print { body { background: #fff; } main { padding: 0; } figure.chart { break-inside: avoid; } }
"""

# Nothing may load from anywhere: no scripts, no fonts, no images but inline data.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _level(year: int, level: str | None, tile: DoraTile) -> str:
    if level:
        return f'<span class="level {_e(level)}" title="DORA {year} band">{year}: {_e(level)}</span>'
    if tile.n is not None and tile.min_n is not None and tile.n < tile.min_n:
        reason = f"n = {tile.n} < {tile.min_n}"
    else:
        reason = "no band"
    return f'<span class="level" title="no level: {_e(reason)}">{year}: — ({_e(reason)})</span>'


def dora_tiles_html(services: list[ServiceDora]) -> str:
    """A row of tiles per service (all services first): value, n and the 2023 and 2021 levels."""
    ordered = sorted(services, key=lambda s: (s.service != "*", s.service))
    parts = [
        '<p class="how">Latest complete month per service; levels by the DORA 2023 and 2021 bands '
        "(— when the sample is smaller than the minimum n).</p>"
    ]
    for s in ordered:
        name = "All services" if s.service == "*" else s.service
        month = f"{s.period_start:%B %Y}" + ("" if s.is_period_complete else " (so far)")
        parts.append(f'<p class="service">{_e(name)} — {_e(month)}</p><div class="tiles">')
        for tile in dora_tiles(s):
            n = f" (n = {tile.n})" if tile.n is not None else ""
            levels = ""
            if tile.metric != "Deployment rework rate":
                badges = _level(2023, tile.level_2023, tile) + _level(2021, tile.level_2021, tile)
                levels = f'<div class="levels">{badges}</div>'
            parts.append(
                f'<div class="tile" data-metric="{_e(tile.metric)}">'
                f'<div class="metric">{_e(tile.metric)}</div><div class="value">{_e(tile.value)}</div>'
                f'<div class="detail">{_e(tile.detail + n)}</div>{levels}</div>'
            )
        parts.append("</div>")
    return "\n".join(parts)


def chart_html(chart: Chart) -> str:
    notes = "".join(f"<li>{_e(note)}</li>" for note in chart.notes)
    return (
        f'<figure class="chart" data-chart="{_e(chart.key)}">\n'
        f'<figcaption><h3>{_e(chart.title)}</h3><p class="how">{_e(chart.how_to_read)}</p></figcaption>\n'
        f"{figure_svg(chart.figure, chart.key)}\n"
        + (f'<ul class="notes">{notes}</ul>\n' if notes else "")
        + "</figure>"
    )


def render_html(report: Report, svg: Callable[[Chart], str] = chart_html) -> str:
    """The whole document; ``svg`` renders one chart (a test may pass a stub)."""
    as_of = f"as of {report.as_of:%d %B %Y %H:%M} UTC" if report.as_of else "no data yet"
    body = []
    for section in report.sections:
        body.append(f'<section id="{_e(section.key)}">\n<h2>{_e(section.title)}</h2>')
        if section.html:
            body.append(section.html)
        body.extend(svg(chart) for chart in section.charts)
        if section.empty and not section.charts:
            body.append(f'<p class="empty">{_e(section.empty)}</p>')
        body.append("</section>")
    headline = "".join(f"<li>{_e(line)}</li>" for line in report.headline)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{_e(report.title)} — {_e(as_of)}</title>
<style>{CSS}</style>
</head>
<body data-chart-count="{len(report.charts)}">
<main>
<header><h1>{_e(report.title)}</h1><p>{_e(as_of)} · from the published marts</p></header>
{'<ul class="headline">' + headline + "</ul>" if headline else ""}
{chr(10).join(body)}
<footer>Generated by streamgauge from {_e(report.source or "the published marts")}. Definitions:
DEVELOPERS.md ("Flow analytics definitions we chose", "DORA definitions we chose"); every figure is
a row of a published mart.</footer>
</main>
</body>
</html>
"""


def chart_markdown(chart: Chart) -> str:
    """A chart for Dagster asset metadata: the PNG inline, with its one-line reading guide."""
    notes = "".join(f"\n- {note}" for note in chart.notes)
    png = figure_png_base64(chart.figure)
    return (
        f"**{chart.title}** — {chart.how_to_read}\n\n![{chart.title}](data:image/png;base64,{png})\n{notes}"
    )


def write_report(
    published_path: Path, path: Path, *, target_lead_time_days: float | None = None
) -> tuple[Path, Report]:
    """Read ``published_path`` (read-only), write the HTML report to ``path``; return both."""
    with duckdb.connect(str(published_path), read_only=True) as con:
        report = build_report(con, target_lead_time_days=target_lead_time_days, source=str(published_path))
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(render_html(report), encoding="utf-8")
    temporary.replace(path)  # readers never see half a report
    return path, report
