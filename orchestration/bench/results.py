"""The benchmark's ratios against its targets, the printed table and ``bench_results.json``."""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path

# phase key in a size's figures → label in the table
PHASE_LABELS = {
    "generate": "generate organisation",
    "land": "land raw (full run's extract)",
    "dbt_seed": "dbt seed",
    "dbt_staging": "dbt run staging",
    "dbt_intermediate": "dbt run intermediate",
    "dbt_marts": "dbt run marts",
    "dbt_tests": "dbt test (quality checks)",
    "dbt_stage_durations": "dbt run +stage_durations",
    "baseline_sql": "hand-written SQL baseline",
    "baseline_pandas": "pandas baseline",
    "full_run": "full run (demo-style job)",
    "incremental": "incremental refresh (job)",
}
DBT_STEP = "dbt_models"


def ratios(figures: dict) -> dict[str, float]:
    """The figures the issue sets targets for (wall times of whole processes)."""
    full_dbt = figures["full_run"]["steps_s"][DBT_STEP]
    layers = sum(figures[f"dbt_{layer}"]["wall_s"] for layer in ("seed", "staging", "intermediate", "marts"))
    return {
        "full_dbt_build_s": full_dbt,
        "dbt_layers_total_s": round(layers, 2),
        "incremental_dbt_vs_full_dbt": round(figures["incremental"]["steps_s"][DBT_STEP] / full_dbt, 3),
        "incremental_run_vs_full_run": round(
            figures["incremental"]["wall_s"] / figures["full_run"]["wall_s"], 3
        ),
        "marts_vs_hand_written_sql_compute": round(
            figures["dbt_stage_durations"]["dbt_elapsed_s"] / figures["baseline_sql"]["compute_s"], 2
        ),
        "pandas_vs_marts_compute": round(
            figures["baseline_pandas"]["compute_s"] / figures["dbt_stage_durations"]["dbt_elapsed_s"], 2
        ),
        "marts_vs_hand_written_sql": round(
            figures["dbt_stage_durations"]["wall_s"] / figures["baseline_sql"]["wall_s"], 2
        ),
        "pandas_vs_marts": round(
            figures["baseline_pandas"]["wall_s"] / figures["dbt_stage_durations"]["wall_s"], 2
        ),
    }


def machine() -> dict:
    memory_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {
        "cpus": os.cpu_count(),
        "memory_gb": round(memory_gb, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }


def format_table(sizes: list[dict]) -> str:
    """Wall seconds / peak MB per phase (rows) and size (columns), then the ratios."""
    header = f"{'phase':<28}" + "".join(f"{size['flow_items']:>20,}" for size in sizes)
    lines = [header + "   (flow items: wall s / peak MB)", "-" * len(header)]
    for key, label in PHASE_LABELS.items():
        cells = "".join(f"{size[key]['wall_s']:>11.1f} /{size[key]['peak_mb']:>7.0f}" for size in sizes)
        lines.append(f"{label:<28}{cells}")
    lines.append("-" * len(header))
    rows = [
        ("copies × landed org", lambda s: f"{s['copies']['count']} × {s['copies']['base_flow_items']:,}"),
        ("status changes", lambda s: f"{s['size']['status_changes']:,}"),
        ("Jira items landed/s", lambda s: f"{s['land']['jira_items_per_s']:,.0f}"),
        ("dbt build in full run s", lambda s: f"{s['ratios']['full_dbt_build_s']:.1f}"),
        ("incremental / full dbt", lambda s: f"{s['ratios']['incremental_dbt_vs_full_dbt']:.0%}"),
        ("new raw rows in refresh", lambda s: f"{s['incremental']['new_raw_rows_pct']:.1f} %"),
        ("marts / SQL (process)", lambda s: f"{s['ratios']['marts_vs_hand_written_sql']:.1f}×"),
        ("marts / SQL (query work)", lambda s: f"{s['ratios']['marts_vs_hand_written_sql_compute']:.1f}×"),
        ("pandas / marts (process)", lambda s: f"{s['ratios']['pandas_vs_marts']:.1f}×"),
        ("pandas / marts (work)", lambda s: f"{s['ratios']['pandas_vs_marts_compute']:.1f}×"),
        ("agreeing rows (3 ways)", lambda s: f"{s['agreement']['rows']:,}"),
    ]
    for label, cell in rows:
        lines.append(f"{label:<28}" + "".join(f"{cell(size):>20}" for size in sizes))
    return "\n".join(lines)


def write_results(path: Path, sizes: list[dict]) -> None:
    path.write_text(json.dumps({"machine": machine(), "sizes": sizes}, indent=2, default=str) + "\n")
