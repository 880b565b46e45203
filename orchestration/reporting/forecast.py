"""The Monte Carlo forecast (marts.forecasts): when today's open items will be done, and how many
items will be done by the target date, per value stream, as 50 / 85 / 95 % confidence ranges."""

from __future__ import annotations

import duckdb
import matplotlib.dates as mdates
import pandas as pd
from matplotlib.figure import Figure

from orchestration.reporting.charts import BLUE, GREY, SKY, mark, new_figure, styled

FORECAST_HOW_TO_READ = (
    "Each bar spans the 50 %–95 % range of the simulated futures (thick tick = 85 %): plan on the "
    "85 % mark, not on the average."
)


def read_forecasts(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(
        """SELECT value_stream, forecast_start_date, sample_start_date, sample_end_date, sample_days,
                  sample_completed_items, trials, is_small_sample, target_items, target_items_source,
                  unfinished_trials, when_done_p50_date, when_done_p85_date, when_done_p95_date,
                  target_date, how_many_p50_items, how_many_p85_items, how_many_p95_items
           FROM marts.forecasts ORDER BY value_stream = 'all', value_stream"""
    ).df()


def forecast_sentences(rows: pd.DataFrame) -> list[str]:
    """One plain sentence per stream, e.g. 'all: the 157 open items are done by 25 Nov 2026 (85 %
    confidence; 50 %: 23 Nov); by 28 Nov 2026 at least 181 items (85 %).'"""
    lines = []
    for _, r in rows.iterrows():
        name = "All streams" if r["value_stream"] == "all" else r["value_stream"]
        if r["is_small_sample"]:
            lines.append(f"{name}: too few completions in the sample to forecast.")
            continue
        when = (
            f"the {int(r['target_items'])} open items are done by "
            f"{pd.Timestamp(r['when_done_p85_date']):%d %b %Y} "
            f"(85 % confidence; 50 %: {pd.Timestamp(r['when_done_p50_date']):%d %b})"
            if pd.notna(r["when_done_p85_date"])
            else f"the {int(r['target_items'])} open items are not done within the simulated horizon"
        )
        lines.append(
            f"{name}: {when}; by {pd.Timestamp(r['target_date']):%d %b %Y} at least "
            f"{int(r['how_many_p85_items'])} items are done (85 %)."
        )
    return lines


@styled
def forecast_figure(rows: pd.DataFrame) -> Figure:
    """Two panels, one row per stream: the completion date range of the open items (p50 → p95),
    and the range of items done by the target date (p50 ← p95)."""
    rows = rows[~rows["is_small_sample"].astype(bool)].reset_index(drop=True)
    fig, (when, how_many) = new_figure(11, 0.55 * max(len(rows), 2) + 1.3, ncols=2)
    labels = [
        f"{'all' if s == 'all' else s} ({n} open)"
        for s, n in zip(rows["value_stream"], rows["target_items"], strict=True)
    ]
    ys = list(range(len(rows)))[::-1]
    for y, (_, r) in zip(ys, rows.iterrows(), strict=True):
        if pd.notna(r["when_done_p50_date"]):
            p50 = pd.Timestamp(r["when_done_p50_date"])
            p95 = pd.Timestamp(r["when_done_p95_date"]) if pd.notna(r["when_done_p95_date"]) else p50
            mark(when.plot([p50, p95], [y, y], color=SKY, linewidth=8, solid_capstyle="butt"), name="range")
            mark(when.plot([p50], [y], "o", color=BLUE, markersize=5), name="p50")
            if pd.notna(r["when_done_p85_date"]):
                p85 = pd.Timestamp(r["when_done_p85_date"])
                mark(
                    when.plot([p85], [y], "|", color="black", markersize=14, markeredgewidth=2.5), name="p85"
                )
                when.annotate(
                    f"{p85:%d %b}",
                    (p85, y),
                    xytext=(0, 9),
                    textcoords="offset points",
                    ha="center",
                    fontsize=7.5,
                )
        low, mid, high = r["how_many_p95_items"], r["how_many_p85_items"], r["how_many_p50_items"]
        if pd.notna(low):
            mark(
                how_many.plot([low, high], [y, y], color=SKY, linewidth=8, solid_capstyle="butt"),
                name="range",
            )
            mark(how_many.plot([high], [y], "o", color=BLUE, markersize=5), name="p50")
            mark(
                how_many.plot([mid], [y], "|", color="black", markersize=14, markeredgewidth=2.5), name="p85"
            )
            how_many.annotate(
                f"≥ {mid:.0f}", (mid, y), xytext=(0, 9), textcoords="offset points", ha="center", fontsize=7.5
            )
    start = pd.Timestamp(rows["forecast_start_date"].iloc[0]) if len(rows) else None
    target = pd.Timestamp(rows["target_date"].iloc[0]) if len(rows) else None
    for ax in (when, how_many):
        ax.set_yticks(ys, labels)
        ax.set_ylim(-0.7, len(rows) - 0.3)
        ax.grid(axis="y", visible=False)
    if start is not None:
        when.axvline(start, color=GREY, linestyle=":", linewidth=1)
    when.set_title(
        f"When will today's open items be done? (from {start:%d %b %Y})" if start is not None else ""
    )
    locator = mdates.AutoDateLocator()
    when.xaxis.set_major_locator(locator)
    when.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    how_many.set_title(f"How many items by {target:%d %b %Y}?" if target is not None else "")
    how_many.set_xlabel("items completed")
    how_many.set_xlim(left=0)
    return fig
