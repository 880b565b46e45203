"""The ROI top 10 (marts.feature_outcomes): completed items ranked by credited adoption points per
lead-time hour."""

from __future__ import annotations

import duckdb
import pandas as pd
from matplotlib.figure import Figure

from orchestration.reporting.charts import GREEN, mark, new_figure, styled

ROI_HOW_TO_READ = (
    "Completed items ranked by adoption points gained per hour of lead time (longer bar = more "
    "value per hour waited); hatched bars rest on a small NPS sample."
)


def read_roi_top(con: duckdb.DuckDBPyConnection, limit: int = 10) -> pd.DataFrame:
    """The top ``limit`` ranked items; empty when the outcome marts are absent or hold no ranking."""
    present = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'marts' AND table_name = 'feature_outcomes'"
    ).fetchone()[0]
    if not present:
        return pd.DataFrame()
    return con.execute(
        """SELECT roi_rank, issue_key, flag_keys, lead_time_hours, adoption_pct, credited_adoption_points,
                  roi_per_hour, is_small_sample, credit_method
           FROM marts.feature_outcomes WHERE roi_rank <= ? ORDER BY roi_rank""",
        [limit],
    ).df()


def _label(row) -> str:
    flags = row["flag_keys"] if isinstance(row["flag_keys"], str) and row["flag_keys"] else "no flag"
    flags = flags if len(flags) <= 34 else flags[:33] + "…"
    return f"#{row['roi_rank']} {row['issue_key']} · {flags}"


@styled
def roi_figure(rows: pd.DataFrame) -> Figure:
    fig, ax = new_figure(11, 0.32 * max(len(rows), 3) + 1.0)
    ys = list(range(len(rows)))[::-1]
    for y, (_, row) in zip(ys, rows.iterrows(), strict=True):
        bar = ax.barh(
            [y],
            [row["roi_per_hour"]],
            color=GREEN,
            hatch="///" if row["is_small_sample"] else None,
            edgecolor="white",
        )
        mark(bar, name="item")
        ax.annotate(
            f" {row['adoption_pct']:.0f} % adoption, {row['lead_time_hours'] / 24:.1f} d lead time",
            (row["roi_per_hour"], y),
            va="center",
            fontsize=7.5,
        )
    ax.set_yticks(ys, [_label(r) for _, r in rows.iterrows()], fontsize=8)
    ax.set_xlabel("credited adoption points per lead-time hour")
    ax.set_xlim(0, (rows["roi_per_hour"].max() if len(rows) else 1) * 1.35)
    ax.grid(axis="y", visible=False)
    ax.set_axisbelow(True)
    ax.set_title("Top items by return per hour of lead time")
    return fig
