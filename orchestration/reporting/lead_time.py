"""The value-stream "lead time snapshot": time per stage, and the stacked lead-time bar."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

HOURS_PER_DAY = 24.0


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


def render_lead_time_bar(
    stages: list[StageTime], path: Path, target_days: float | None = None, title: str = "Lead time by stage"
) -> Path:
    """One stacked horizontal bar: mean days per completed item in each stage, in process order."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path.parent.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(11, 2.8), dpi=120)
    colours = plt.get_cmap("tab10").colors
    left = 0.0
    for index, stage in enumerate(stages):
        days = stage.mean_hours_per_item / HOURS_PER_DAY
        ax.barh(
            [0],
            [days],
            left=left,
            color=colours[index % len(colours)],
            edgecolor="black" if stage.is_widest else "white",
            linewidth=2.5 if stage.is_widest else 1,
            label=f"{stage.stage}: {days:.1f} d ({stage.pct_of_lead_time:.0f} %)",
        )
        if days > 0:
            ax.text(
                left + days / 2,
                0,
                stage.stage,
                ha="center",
                va="center",
                fontsize=9,
                color="white",
                fontweight="bold" if stage.is_widest else "normal",
            )
        left += days
    if target_days:
        ax.axvline(target_days, color="crimson", linestyle="--", linewidth=2)
        ax.text(target_days, 0.45, f"target {target_days:g} d", color="crimson", ha="left", va="bottom")
    widest = widest_stage(stages)
    subtitle = f" — prime delay: {widest.stage}" if widest else ""
    items = stages[0].items_in_window if stages else 0
    ax.set_title(f"{title}{subtitle} (mean per completed item, n = {items})", loc="left")
    ax.set_xlabel("days (calendar time)")
    ax.set_yticks([])
    ax.set_xlim(0, max(left, target_days or 0) * 1.08 or 1)
    ax.legend(
        loc="upper center", bbox_to_anchor=(0.5, -0.35), ncol=min(len(stages), 5), frameon=False, fontsize=8
    )
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
