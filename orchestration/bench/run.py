"""Run the benchmark at every size, each in its own process, then print and save the figures."""

from __future__ import annotations

import json
import logging
import shutil
import sys
from pathlib import Path

from orchestration.bench.measure import run_measured
from orchestration.bench.results import format_table, ratios, write_results
from orchestration.bench.sizes import BASE_FLOW_ITEMS

log = logging.getLogger("streamgauge.bench")


def run_benchmark(
    sizes: list[int], work_dir: Path, results_path: Path, *, base_flow_items: int = BASE_FLOW_ITEMS
) -> list[dict]:
    figures = []
    for flow_items in sizes:
        size_dir = work_dir / str(flow_items)
        if size_dir.exists():
            shutil.rmtree(size_dir)
        size_dir.mkdir(parents=True)
        log.info("benchmark: %s flow items in %s", f"{flow_items:,}", size_dir)
        result = size_dir / "figures.json"
        total = run_measured(
            [
                sys.executable,
                "-m",
                "orchestration.bench.size",
                str(flow_items),
                str(base_flow_items),
                str(size_dir),
                str(result),
            ]
        )
        size = json.loads(result.read_text())
        size["ratios"] = ratios(size)
        size["total"] = {"wall_s": total.wall_s, "peak_mb": total.peak_mb}
        figures.append(size)
        write_results(results_path, figures)
        log.info("%s flow items done in %.0f s", f"{flow_items:,}", total.wall_s)
    print(format_table(figures))
    print(f"\nFigures: {results_path}")
    return figures
