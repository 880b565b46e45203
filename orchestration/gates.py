"""The raw-level gates as Dagster asset checks: every raw table gets two blocking checks (its records'
expectations, its batch-level checks) evaluated by the extraction that lands it, and every source kind
a non-blocking freshness check. A failing blocking check stops dbt and publication in that run."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import dagster as dg
import duckdb

from extractors.common.expectations import load_suites
from extractors.common.gate import Gate
from extractors.common.gate_report import CheckSummary, freshness, summarise
from extractors.common.quality import expectation_parameters
from extractors.common.raw_store import utc_now
from orchestration.config import DEFAULT_FRESHNESS_HOURS, Settings

log = logging.getLogger("streamgauge.gates")

ROWS = "row_expectations"
BATCH = "batch_expectations"
FRESHNESS = "freshness"
LEVELS = {ROWS: "row", BATCH: "batch"}


def build_gate(settings: Settings) -> Gate:
    suites = load_suites()
    return Gate(suites, expectation_parameters(settings.mappings_dir, settings.quality), settings.quality)


def raw_check_specs(tables: Sequence[str]) -> list[dg.AssetCheckSpec]:
    specs = [
        dg.AssetCheckSpec(
            name,
            asset=["raw", table],
            blocking=True,
            description=(
                "Every record of the run's batches meets the table's expectation suite "
                "(failing records are quarantined)."
                if name == ROWS
                else "The run's batches are not empty, anomalous in volume or changed in schema (else held)."
            ),
        )
        for table in tables
        for name in (ROWS, BATCH)
    ]
    specs.append(
        dg.AssetCheckSpec(
            FRESHNESS,
            asset=["raw", tables[0]],
            blocking=False,
            description="Every source of this kind landed a successful batch within its `freshness_hours`.",
        )
    )
    return specs


def _result(table: str, name: str, summary: CheckSummary, run_log: Any) -> dg.AssetCheckResult:
    for line in summary.error_lines:
        log.error(line)
        run_log.error(line)
    for line in summary.warning_lines:
        log.warning(line)
        run_log.warning(line)
    return dg.AssetCheckResult(
        asset_key=["raw", table],
        check_name=name,
        passed=summary.passed,
        severity=dg.AssetCheckSeverity.ERROR,
        description=summary.error_lines[0] if summary.error_lines else None,
        metadata={
            "failures": summary.errors,
            "warnings": summary.warnings,
            "records_checked": summary.evaluated,
            "failing": dg.MetadataValue.md(
                "\n".join(f"- `{line}`" for line in summary.error_lines) or "none"
            ),
            "warned": dg.MetadataValue.md(
                "\n".join(f"- `{line}`" for line in summary.warning_lines) or "none"
            ),
        },
    )


def check_results(
    con: duckdb.DuckDBPyConnection,
    settings: Settings,
    tables: Sequence[str],
    sources: Iterable[Any],
    batch_ids: list[str],
    run_log: Any,
) -> Iterator[dg.AssetCheckResult]:
    """Every check of ``tables`` from what the run's batches recorded, and the kind's freshness; each
    failing line goes to the ``streamgauge.gates`` log and to ``run_log`` (the run's Dagster log)."""
    summaries = summarise(con, batch_ids)
    for table in tables:
        for name, level in LEVELS.items():
            yield _result(table, name, summaries.get((table, level), CheckSummary()), run_log)
    windows = {s.name: settings.freshness_hours.get(s.name, DEFAULT_FRESHNESS_HOURS) for s in sources}
    found = freshness(con, tables[0], windows, utc_now())
    stale = [f.line for f in found if f.line]
    for line in stale:
        log.warning(line)
        run_log.warning(line)
    yield dg.AssetCheckResult(
        asset_key=["raw", tables[0]],
        check_name=FRESHNESS,
        passed=not stale,
        severity=dg.AssetCheckSeverity.WARN,
        description=stale[0] if stale else None,
        metadata={
            "stale": dg.MetadataValue.md("\n".join(f"- `{line}`" for line in stale) or "none"),
            "last_success": dg.MetadataValue.json(
                {f.source: f.last_success.isoformat() if f.last_success else None for f in found}
            ),
        },
    )
