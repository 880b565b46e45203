"""Progress lines that reach both the Dagster UI (``context.log``) and a terminal (``streamgauge.*``)."""

from __future__ import annotations

import logging
from collections.abc import Callable

import dagster as dg


def reporter(context: dg.AssetExecutionContext, name: str) -> Callable[[str], None]:
    logger = logging.getLogger(f"streamgauge.{name}")

    def report(message: str) -> None:
        context.log.info(message)
        logger.info(message)

    return report


def run_results_summary(run_results: dict) -> str:
    """``dbt build``'s outcome in one line: nodes by type and status, and the elapsed time."""
    counts: dict[str, int] = {}
    for result in run_results.get("results", []):
        kind = result["unique_id"].split(".", 1)[0]
        key = f"{kind}s {result.get('status')}"
        counts[key] = counts.get(key, 0) + 1
    parts = ", ".join(f"{count} {key}" for key, count in sorted(counts.items()))
    return f"dbt build: {parts} in {run_results.get('elapsed_time', 0):.0f} s"
