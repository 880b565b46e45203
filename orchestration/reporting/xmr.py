"""Process behaviour charts (XmR) from marts.process_behaviour: the values with their segments'
centre lines and natural process limits, the signals of rules 1–3, the moving ranges against the
upper range limit, and the events-log entries that annotate the points."""

from __future__ import annotations

import re
from dataclasses import dataclass

import duckdb
import matplotlib.dates as mdates
import pandas as pd
from matplotlib.figure import Figure

from orchestration.reporting.charts import (
    BLUE,
    GREY,
    ORANGE,
    PURPLE,
    RED,
    mark,
    new_figure,
    scale_for,
    styled,
)


@dataclass(frozen=True)
class XmrSeries:
    series: str  # process_behaviour.series
    title: str
    point: str  # what one point is, for the notes


FLOW_SERIES = (
    XmrSeries("lead_time_hours", "Lead time per completed item", "item"),
    XmrSeries("cycle_time_hours", "Cycle time per completed item", "item"),
    XmrSeries("weekly_throughput_items", "Throughput per week", "week"),
    XmrSeries("weekly_average_wip_items", "Work in progress (weekly mean)", "week"),
)
DORA_SERIES = (
    XmrSeries("weekly_deployments", "Deployments per week", "week"),
    XmrSeries("weekly_deployment_days", "Deployment days per week", "week"),
    XmrSeries("weekly_change_lead_time_median_hours", "Change lead time, weekly median", "week"),
    XmrSeries("weekly_change_fail_rate_pct", "Change fail rate per week", "week"),
    XmrSeries("weekly_recovery_time_median_hours", "Recovery time, weekly median", "week"),
)

XMR_HOW_TO_READ = (
    "Dots between the dashed limits are routine variation — react only to signals: red = outside "
    "the limits, orange = 3 of 4 near a limit, purple ring = 8 in a row on one side; grey verticals "
    "are events-log entries."
)
RECENT_POINTS = 8

COLUMNS = (
    "series, value_stream, value_unit, point_index, point_at, period_start, period_end, flow_item_id, "
    "issue_key, value, moving_range, segment_number, is_segment_start, centre_line, average_moving_range, "
    "unpl, lnpl, url, is_outside_limits, is_moving_range_above_url, is_rule_1, is_rule_2, is_rule_3, "
    "is_signal, event_count, events"
)


def read_process_behaviour(con: duckdb.DuckDBPyConnection, value_stream: str = "all") -> pd.DataFrame:
    """Every point of every series of one stream, in series and point order."""
    return con.execute(
        f"SELECT {COLUMNS} FROM marts.process_behaviour WHERE value_stream = ? ORDER BY series, point_index",
        [value_stream],
    ).df()


def series_points(points: pd.DataFrame, series: str) -> pd.DataFrame:
    return points[points["series"] == series].sort_values("point_index").reset_index(drop=True)


def point_x(points: pd.DataFrame) -> pd.Series:
    """Where a point goes on the time axis: an item's completion, a period's first day."""
    completed = pd.to_datetime(points["point_at"])
    return completed.where(points["flow_item_id"].notna(), pd.to_datetime(points["period_start"]))


_EVENT = re.compile(r"^(\d{4}-\d{2}-\d{2}) (.*?): (.*)$")


def parse_events(text: str | None) -> list[tuple[str, str, str]]:
    """process_behaviour.events ('<date> <stream>: <title>; …') → [(date, stream, title)]."""
    if not text:
        return []
    found = []
    for part in re.split(r"; (?=\d{4}-\d{2}-\d{2} )", text):
        match = _EVENT.match(part.strip())
        if match:
            found.append(match.groups())
    return found


def _number(value: float, divisor: float) -> str:
    shown = value / divisor
    return f"{shown:,.0f}" if abs(shown) >= 100 else f"{shown:,.1f}"


def signal_summary(points: pd.DataFrame, unit: str, recent: int = RECENT_POINTS) -> str:
    """One line: the latest value against its limits, and the signals among the last points."""
    if points.empty:
        return "No points yet."
    divisor, label = scale_for(unit, points["value"].tolist())
    last = points.iloc[-1]
    limits = ""
    if pd.notna(last["unpl"]):
        limits = f", limits {_number(last['lnpl'], divisor)}–{_number(last['unpl'], divisor)}"
    tail = points.tail(recent)
    counts = [
        (name, int(tail[column].sum()))
        for name, column in (
            ("outside the limits", "is_outside_limits"),
            ("moving range above the URL", "is_moving_range_above_url"),
            ("rule 2", "is_rule_2"),
            ("rule 3 run", "is_rule_3"),
        )
    ]
    fired = [f"{name} ×{n}" for name, n in counts if n]
    signals = (
        f"signals in the last {len(tail)} points: " + ", ".join(fired)
        if fired
        else f"no signal in the last {len(tail)} points (routine variation)"
    )
    segments = int(points["segment_number"].max())
    shift = ""
    if segments > 1:
        starts = point_x(points)[points["is_segment_start"].astype(bool)].iloc[1:]
        shift = "; shifts confirmed from " + ", ".join(f"{x:%d %b %Y}" for x in starts)
    return (
        f"Latest {_number(last['value'], divisor)} {label} (centre {_number(last['centre_line'], divisor)}"
        f"{limits}); {signals}{shift}."
    )


DENSE_POINTS = 5_000


def segment_spans(points: pd.DataFrame, x: pd.Series) -> pd.DataFrame:
    """One row per segment (in segment order): where it starts and ends on the time axis (``first``,
    ``last``, from ``x``), its centre line and limits (``centre_line``, ``unpl``, ``lnpl``, ``url``)."""
    grouped = points.assign(x=x).groupby("segment_number", sort=True)
    columns = ["centre_line", "unpl", "lnpl", "url"]
    spans = grouped[["x", *columns]].first(skipna=False).rename(columns={"x": "first"})
    spans["last"] = grouped["x"].last(skipna=False)
    return spans.reset_index()


@styled
def xmr_figure(points: pd.DataFrame, title: str) -> tuple[Figure, list[str]]:
    """The X chart (values, centre line and limits per segment, signals, events) over the mR chart
    (moving ranges and the upper range limit); returns the figure and the events it numbers."""
    fig, (ax, ax_mr) = new_figure(11, 4.2, nrows=2, sharex=True, gridspec_kw={"height_ratios": [3, 1]})
    unit = str(points["value_unit"].iloc[0]) if len(points) else ""
    divisor, label = scale_for(unit, points["value"].tolist())
    x = point_x(points)
    values = points["value"] / divisor
    many = len(points) > 120
    # past DENSE_POINTS the points and lines are drawn as an image inside the SVG: as vectors, a
    # 100,000-item series made a 32 MB chart
    dense = len(points) > DENSE_POINTS
    mark(
        ax.plot(
            x,
            values,
            color=BLUE,
            linewidth=0.5 if many else 1.0,
            alpha=0.6 if many else 0.9,
            rasterized=dense,
        ),
        name="values",
    )
    mark(ax.scatter(x, values, s=5 if many else 14, color=BLUE, zorder=3, rasterized=dense), name="points")

    # one collection per kind of line for all segments: a long per-item series can have thousands
    segments = segment_spans(points, x)
    if len(segments):
        mark(
            ax.hlines(
                segments["centre_line"] / divisor,
                segments["first"],
                segments["last"],
                color="black",
                linewidth=1.2,
            ),
            name="centre",
        )
    limited = segments[segments["unpl"].notna()]
    if len(limited):
        mark(
            ax.hlines(
                pd.concat([limited["unpl"], limited["lnpl"]]) / divisor,
                pd.concat([limited["first"], limited["first"]]),
                pd.concat([limited["last"], limited["last"]]),
                color=RED,
                linestyles="--",
                linewidth=1,
            ),
            name="limits",
        )
        mark(
            ax_mr.hlines(
                limited["url"] / divisor,
                limited["first"],
                limited["last"],
                color=RED,
                linestyles="--",
                linewidth=1,
            ),
            name="url",
        )
    if len(points):
        end = points.iloc[-1]
        for y, text in ((end["centre_line"], "X̄"), (end["unpl"], "UNPL"), (end["lnpl"], "LNPL")):
            if pd.notna(y):
                ax.annotate(
                    f" {text} {_number(y, divisor)}",
                    (1.0, y / divisor),
                    xycoords=("axes fraction", "data"),
                    fontsize=7.5,
                    va="center",
                    color="black" if text == "X̄" else RED,
                    annotation_clip=False,
                )

    def highlight(mask, **style):
        selected = mask.astype(bool)
        if selected.any():
            mark(
                ax.scatter(x[selected], values[selected], zorder=4, rasterized=dense, **style), name="signal"
            )

    highlight(
        points["is_rule_3"],
        s=60 if not many else 30,
        facecolors="none",
        edgecolors=PURPLE,
        linewidths=1.2,
        label="rule 3: run of 8",
    )
    highlight(
        points["is_rule_2"], s=30 if not many else 14, color=ORANGE, label="rule 2: 3 of 4 near a limit"
    )
    highlight(
        points["is_outside_limits"], s=36 if not many else 18, color=RED, label="rule 1: outside the limits"
    )

    moving = points["moving_range"] / divisor
    mark(
        ax_mr.plot(x, moving, color=GREY, linewidth=0.5 if many else 0.9, rasterized=dense),
        name="moving-range",
    )
    above = points["is_moving_range_above_url"].astype(bool)
    if above.any():
        mark(
            ax_mr.scatter(x[above], moving[above], s=14, color=RED, zorder=4, rasterized=dense), name="signal"
        )

    notes = []
    for number, (_, row) in enumerate(points[points["event_count"] > 0].iterrows(), start=1):
        at = point_x(points.loc[[row.name]]).iloc[0]
        ax.axvline(at, color=GREY, linestyle=":", linewidth=1)
        ax.annotate(
            str(number),
            (at, 1.0),
            xycoords=("data", "axes fraction"),
            ha="center",
            va="bottom",
            fontsize=7.5,
            color="white",
            bbox={"boxstyle": "circle,pad=0.2", "facecolor": GREY, "edgecolor": "none"},
            annotation_clip=False,
        )
        entries = "; ".join(
            f"{day} ({'all' if where == '*' else where}): {name}"
            for day, where, name in parse_events(row["events"])
        )
        notes.append(f"[{number}] {entries}")

    ax.set_title(title, pad=14)
    ax.set_ylabel(label)
    ax_mr.set_ylabel("mR")
    ax.set_ylim(bottom=0)
    ax_mr.set_ylim(bottom=0)
    locator = mdates.AutoDateLocator()
    ax_mr.xaxis.set_major_locator(locator)
    ax_mr.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="lower right", bbox_to_anchor=(1.0, 1.04), fontsize=7.5, ncol=3, borderaxespad=0)
    return fig, notes
