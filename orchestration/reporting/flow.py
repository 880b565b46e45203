"""Flow charts from the flow analytics marts: the cumulative flow diagram (cumulative_flow_daily),
aging work in progress against the flow-time percentiles (aging_wip) and the flow distribution
(flow_metrics)."""

from __future__ import annotations

import duckdb
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from orchestration.reporting.charts import (
    BLUE,
    GREEN,
    GREY,
    ORANGE,
    PURPLE,
    RED,
    SKY,
    mark,
    new_figure,
    styled,
)

STAGE_COLOURS = (BLUE, ORANGE, GREEN, PURPLE, SKY, GREY)
DONE_COLOUR = "#4d4d4d"
TYPE_COLOURS = {"Feature": GREEN, "Defect": RED, "Risk": ORANGE, "Debt": PURPLE}

CFD_HOW_TO_READ = (
    "Each band's height is the items in that stage that day (last six months); a band that keeps "
    "widening is a queue growing, and the slope of Done is the throughput."
)
AGING_HOW_TO_READ = (
    "Each dot is an open item at its current stage and age; dots above the 85th-percentile line "
    "are older than 85 % of recently finished work — look at them first."
)
DISTRIBUTION_HOW_TO_READ = (
    "Share of the items completed each month by type (counts on the bars): watch whether Features "
    "get crowded out by Defects, Risks and Debt."
)


# ---- cumulative flow ---------------------------------------------------------------------------


def read_cumulative_flow(con: duckdb.DuckDBPyConnection, value_stream: str = "all") -> pd.DataFrame:
    return con.execute(
        """SELECT day, band, band_order, item_count FROM marts.cumulative_flow_daily
           WHERE value_stream = ? ORDER BY day, band_order""",
        [value_stream],
    ).df()


CFD_DAYS = 182


@styled
def cumulative_flow_figure(
    rows: pd.DataFrame, title: str = "Cumulative flow", days: int = CFD_DAYS
) -> Figure:
    """Stacked bands per day over the last ``days`` days: Done at the bottom, then the stages from
    last to first. Days before any item had moved past the first stage are left out."""
    fig, ax = new_figure(11, 3.6)
    table = rows.pivot_table(index="day", columns="band", values="item_count", aggfunc="sum").fillna(0)
    order = rows.drop_duplicates("band").sort_values("band_order")["band"].tolist()
    moving = table[[band for band in order[1:] if band in table.columns]].sum(axis=1) > 0
    if moving.any():
        table = table.loc[moving.idxmax() :]
    table = table.iloc[-days:]
    bottom_up = order[::-1]  # Done (last in band order) first
    stages = [band for band in order if band != "Done"]
    colours = {band: STAGE_COLOURS[i % len(STAGE_COLOURS)] for i, band in enumerate(stages)}
    colours["Done"] = DONE_COLOUR
    days = pd.to_datetime(table.index)
    mark(
        ax.stackplot(
            days,
            [table[band].to_numpy(dtype=float) for band in bottom_up],
            labels=bottom_up,
            colors=[colours.get(band, GREY) for band in bottom_up],
            alpha=0.9,
            linewidth=0,
        ),
        name="band",
    )
    ax.set_title(title)
    ax.set_ylabel("items")
    ax.set_xlim(days.min(), days.max()) if len(days) else None
    ax.set_axisbelow(True)
    locator = mdates.AutoDateLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], labels[::-1], loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    return fig


# ---- aging WIP ---------------------------------------------------------------------------------


def read_aging_wip(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute(
        """SELECT flow_item_id, issue_key, value_stream, flow_item_type, stage, stage_order, age_hours,
                  flow_time_n, flow_time_p50_hours, flow_time_p85_hours, flow_time_p95_hours,
                  age_percentile_passed
           FROM marts.aging_wip ORDER BY value_stream, stage_order, age_hours DESC"""
    ).df()


def read_stages(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The stages in process order (lead_time_by_stage names each one)."""
    return [
        r[0]
        for r in con.execute("SELECT stage FROM marts.lead_time_by_stage ORDER BY stage_order").fetchall()
    ]


PASSED_COLOURS = {"none": GREEN, "p50": ORANGE, "p85": RED, "p95": "#7a0019"}


def _spread(n: int, width: float = 0.6) -> np.ndarray:
    """Deterministic horizontal offsets for n dots in one stage column (no random jitter)."""
    if n <= 1:
        return np.zeros(n)
    return np.linspace(-width / 2, width / 2, n)


@styled
def aging_wip_figure(rows: pd.DataFrame, stages: list[str] | None = None) -> Figure:
    """One panel per value stream: open items by stage (x) and age in days (y), coloured by the
    flow-time percentile they passed, with the stream's p50/p85/p95 flow time as lines."""
    streams = sorted(rows["value_stream"].unique())
    stages = stages or rows.drop_duplicates("stage").sort_values("stage_order")["stage"].tolist()
    stages = stages + sorted(set(rows["stage"]) - set(stages))
    columns = min(len(streams), 3) or 1
    panel_rows = -(-len(streams) // columns) or 1
    fig, axes = new_figure(11, 3.0 * panel_rows, nrows=panel_rows, ncols=columns, sharey=True, squeeze=False)
    flat = axes.ravel()
    for ax, stream in zip(flat, streams, strict=False):
        items = rows[rows["value_stream"] == stream]
        for position, stage in enumerate(stages):
            at_stage = items[items["stage"] == stage].sort_values("age_hours")
            if at_stage.empty:
                continue
            xs = position + _spread(len(at_stage))
            colours = [PASSED_COLOURS.get(p, GREY) for p in at_stage["age_percentile_passed"].fillna("")]
            mark(
                ax.scatter(
                    xs, at_stage["age_hours"] / 24, s=16, c=colours, edgecolors="white", linewidths=0.4
                ),
                name="item",
            )
        first = items.iloc[0] if len(items) else None
        for column, label, style in (
            ("flow_time_p50_hours", "p50", ":"),
            ("flow_time_p85_hours", "p85", "--"),
            ("flow_time_p95_hours", "p95", "-"),
        ):
            if first is not None and pd.notna(first[column]):
                days = first[column] / 24
                ax.axhline(days, color=GREY, linestyle=style, linewidth=1)
                ax.annotate(
                    f"{label} {days:.0f} d",
                    (1.0, days),
                    xycoords=("axes fraction", "data"),
                    fontsize=7.5,
                    va="bottom",
                    ha="right",
                    color=GREY,
                )
        n = int(first["flow_time_n"]) if first is not None else 0
        ax.set_title(f"{stream}: {len(items)} open (lines: {n} finished items)", fontsize=9)
        ax.set_xticks(range(len(stages)), stages, rotation=30, ha="right")
        ax.set_xlim(-0.6, len(stages) - 0.4)
        ax.grid(axis="x", visible=False)
        ax.set_ylim(bottom=0)
    for ax in flat[len(streams) :]:
        ax.set_visible(False)
    for ax in axes[:, 0]:
        ax.set_ylabel("age (days in flow)")
    handles = [
        flat[0].scatter(
            [], [], s=16, color=colour, label=f"passed {name}" if name != "none" else "younger than p50"
        )
        for name, colour in PASSED_COLOURS.items()
    ]
    fig.legend(handles=handles, loc="outside lower center", ncol=len(handles), fontsize=8)
    return fig


# ---- flow distribution -------------------------------------------------------------------------


def read_flow_distribution(con: duckdb.DuckDBPyConnection, value_stream: str = "all") -> pd.DataFrame:
    return con.execute(
        """SELECT period_start, is_complete_period, flow_item_type, flow_velocity_items
           FROM marts.flow_metrics
           WHERE value_stream = ? AND period_grain = 'month' AND flow_item_type <> 'all'
           ORDER BY period_start, flow_item_type""",
        [value_stream],
    ).df()


@styled
def flow_distribution_figure(rows: pd.DataFrame, title: str = "Flow distribution") -> Figure:
    """Stacked 100 % bars per month: the share of completed items by flow item type."""
    fig, ax = new_figure(11, 3.2)
    counts = rows.pivot_table(
        index="period_start", columns="flow_item_type", values="flow_velocity_items", aggfunc="sum"
    ).fillna(0)
    complete = rows.groupby("period_start")["is_complete_period"].all().reindex(counts.index)
    # months from the first with a completion; the running month only once something completed in it
    totals = counts.sum(axis=1)
    shown = (totals.cumsum() > 0) & ((totals > 0) | complete)
    counts, complete = counts[shown], complete[shown]
    types = [t for t in TYPE_COLOURS if t in counts.columns] + sorted(set(counts.columns) - set(TYPE_COLOURS))
    totals = counts.sum(axis=1)
    shares = counts.div(totals.where(totals > 0), axis=0).fillna(0) * 100
    labels = [
        f"{pd.Timestamp(m):%b %Y}" + ("" if done else "\n(so far)")
        for m, done in zip(counts.index, complete, strict=True)
    ]
    positions = np.arange(len(counts.index))
    bottom = np.zeros(len(positions))
    for kind in types:
        share = shares[kind].to_numpy()
        bars = ax.bar(
            positions, share, bottom=bottom, color=TYPE_COLOURS.get(kind, GREY), label=kind, width=0.7
        )
        for bar, done in zip(bars, complete, strict=True):
            bar.set_alpha(1.0 if done else 0.55)  # the month still running
        mark(bars, name="type")
        for x, y0, value, count in zip(positions, bottom, share, counts[kind].to_numpy(), strict=True):
            if value >= 7:
                ax.text(
                    x, y0 + value / 2, f"{count:.0f}", ha="center", va="center", fontsize=7.5, color="white"
                )
        bottom += share
    for x, total in zip(positions, totals.to_numpy(), strict=True):
        ax.text(x, 101, f"n={total:.0f}", ha="center", va="bottom", fontsize=7.5, color=GREY)
    ax.set_xticks(positions, labels)
    ax.set_ylim(0, 110)
    ax.set_ylabel("% of completed items")
    ax.set_title(title)
    ax.grid(axis="x", visible=False)
    ax.set_axisbelow(True)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    return fig
