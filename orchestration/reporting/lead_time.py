"""The value-stream "lead time snapshot": time per stage, and the stacked lead-time bar."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import matplotlib
from matplotlib.figure import Figure

from orchestration.reporting.charts import (
    BLUE,
    GREEN,
    GREY,
    ORANGE,
    PURPLE,
    RC,
    RED,
    SKY,
    mark,
    new_figure,
    styled,
    text_colour_on,
)

HOURS_PER_DAY = 24.0
STAGE_COLOURS = (BLUE, ORANGE, GREEN, PURPLE, SKY, GREY)


@dataclass(frozen=True)
class StageTime:
    stage: str
    stage_order: int
    total_hours: float
    pct_of_lead_time: float
    mean_hours_per_item: float
    items_visiting: int
    items_in_window: int
    is_widest: bool


def read_lead_time_by_stage(con: duckdb.DuckDBPyConnection) -> list[StageTime]:
    rows = con.execute("""
        SELECT stage, stage_order, coalesce(total_hours, 0), coalesce(pct_of_lead_time, 0),
               coalesce(mean_hours_per_item, 0), items_visiting, items_in_window, coalesce(is_widest, false)
        FROM marts.lead_time_by_stage ORDER BY stage_order""").fetchall()
    return [StageTime(*row) for row in rows]


def widest_stage(stages: list[StageTime]) -> StageTime | None:
    return next((s for s in stages if s.is_widest), None)


def format_lead_time_table(stages: list[StageTime]) -> str:
    header = f"{'stage':<12}{'total hours':>14}{'% of stream':>13}{'mean days/item':>16}{'items':>8}"
    lines = [header, "-" * len(header)]
    for s in stages:
        marker = "  ◀ prime delay" if s.is_widest else ""
        lines.append(
            f"{s.stage:<12}{s.total_hours:>14,.1f}{s.pct_of_lead_time:>12.1f}%"
            f"{s.mean_hours_per_item / HOURS_PER_DAY:>16.2f}{s.items_visiting:>8}{marker}"
        )
    return "\n".join(lines)


LEAD_TIME_HOW_TO_READ = (
    "Mean calendar days a completed item spends in each stage, in process order: the outlined "
    "stage is the prime delay, the dashed line the target lead time."
)


@styled
def lead_time_figure(
    stages: list[StageTime], target_days: float | None = None, title: str = "Lead time by stage"
) -> Figure:
    """One stacked horizontal bar: mean days per completed item in each stage, in process order,
    the widest stage outlined, the target as a dashed line (the PNG asset and the report draw it)."""
    fig, ax = new_figure(11, 2.8)
    left = 0.0
    for index, stage in enumerate(stages):
        days = stage.mean_hours_per_item / HOURS_PER_DAY
        colour = STAGE_COLOURS[index % len(STAGE_COLOURS)]
        mark(
            ax.barh(
                [0],
                [days],
                left=left,
                color=colour,
                edgecolor="black" if stage.is_widest else "white",
                linewidth=2.5 if stage.is_widest else 1,
                label=f"{stage.stage}: {days:.1f} d ({stage.pct_of_lead_time:.0f} %)",
            ),
            name="stage",
        )
        if days > 0:
            ax.text(
                left + days / 2,
                0,
                stage.stage,
                ha="center",
                va="center",
                fontsize=9,
                color=text_colour_on(colour),
                fontweight="bold" if stage.is_widest else "normal",
                clip_on=True,
            )
        left += days
    if target_days:
        ax.axvline(target_days, color=RED, linestyle="--", linewidth=2)
        ax.text(target_days, 0.45, f" target {target_days:g} d", color=RED, ha="left", va="bottom")
    widest = widest_stage(stages)
    subtitle = f" — prime delay: {widest.stage}" if widest else ""
    items = stages[0].items_in_window if stages else 0
    ax.set_title(f"{title}{subtitle} (mean per completed item, n = {items})")
    ax.set_xlabel("days (calendar time)")
    ax.set_yticks([])
    ax.grid(axis="y", visible=False)
    ax.set_axisbelow(True)
    ax.set_xlim(0, max(left, target_days or 0) * 1.08 or 1)
    ax.set_ylim(-0.6, 0.75)
    if stages:
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.3), ncol=min(len(stages), 5), fontsize=8)
    return fig


def render_lead_time_bar(
    stages: list[StageTime], path: Path, target_days: float | None = None, title: str = "Lead time by stage"
) -> Path:
    """The stacked lead-time bar as a PNG file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fig = lead_time_figure(stages, target_days, title)
    with matplotlib.rc_context(RC):
        fig.savefig(path, dpi=120)
    return path
