"""What the gate found in a run's batches, per raw table and check level, and each source's freshness:
read from ``meta.check_results`` and ``meta.batches`` for the asset checks and the demo."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import duckdb

from extractors.common.validation import message

SHOWN_LINES = 20


@dataclass
class CheckSummary:
    """One table's checks of one level (``row`` or ``batch``) over the run's batches."""

    errors: int = 0
    warnings: int = 0
    evaluated: int = 0
    error_lines: list[str] = field(default_factory=list)
    warning_lines: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.errors == 0


def summarise(con: duckdb.DuckDBPyConnection, batch_ids: list[str]) -> dict[tuple[str, str], CheckSummary]:
    """(table, level) → summary of every expectation's results in ``batch_ids``."""
    summaries: dict[tuple[str, str], CheckSummary] = {}
    if not batch_ids:
        return summaries
    rows = con.execute(
        """SELECT table_name, check_level, severity, sum(evaluated), sum(failures),
                  string_agg(sample, chr(10) ORDER BY checked_at) FILTER (WHERE sample IS NOT NULL)
           FROM meta.check_results WHERE batch_id IN (SELECT unnest(?::VARCHAR[]))
           GROUP BY ALL ORDER BY ALL""",
        [batch_ids],
    ).fetchall()
    for table, level, severity, evaluated, failures, sample in rows:
        summary = summaries.setdefault((table, level), CheckSummary())
        summary.evaluated = max(summary.evaluated, int(evaluated or 0))
        lines = (sample or "").splitlines()[:SHOWN_LINES]
        if severity == "error":
            summary.errors += int(failures or 0)
            summary.error_lines += lines
        else:
            summary.warnings += int(failures or 0)
            summary.warning_lines += lines
    return summaries


@dataclass(frozen=True)
class Freshness:
    source: str
    last_success: datetime | None
    window_hours: float
    line: str | None  # the failure, when stale

    @property
    def fresh(self) -> bool:
        return self.line is None


def freshness(
    con: duckdb.DuckDBPyConnection, kind_label: str, windows: dict[str, float], now: datetime
) -> list[Freshness]:
    """For each source (name → window in hours): is its latest successful batch within the window?"""
    found = []
    for source, hours in sorted(windows.items()):
        last = con.execute(
            "SELECT max(finished_at) FROM meta.batches WHERE source = ? AND status = 'succeeded'", [source]
        ).fetchone()[0]
        stale = last is None or now - last > timedelta(hours=hours)
        since = "ever" if last is None else f"since {last:%Y-%m-%d %H:%M} UTC"
        line = (
            message(
                source,
                kind_label,
                "-",
                "batches",
                "freshness",
                f"no successful batch {since} (window {hours:g} h)",
            )
            if stale
            else None
        )
        found.append(Freshness(source, last, hours, line))
    return found
