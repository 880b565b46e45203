"""What the data-quality gates compare against: their settings and the expectation parameters that
come from the mappings (the statuses the status mapping knows, the environments the tier patterns
name)."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SHIPPED_MAPPINGS_DIR = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "mappings"


@dataclass(frozen=True)
class QualitySettings:
    """``quality:`` in ``streamgauge.yml``.

    * ``max_clock_skew_minutes``: an event up to this long before the record it belongs to began is a
      warning (clock skew the marts count), beyond it an error;
    * ``recent_batches``: how many of a source's latest successful batches a batch is compared with;
    * ``volume_max_ratio`` / ``volume_min_records``: a table's batch is a volume anomaly when it holds
      more than ``volume_max_ratio`` times the recent median and at least ``volume_min_records`` more.
    """

    max_clock_skew_minutes: float = 60
    recent_batches: int = 5
    volume_max_ratio: float = 10
    volume_min_records: int = 1000


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def known_status_ids(mappings_dir: Path) -> list[str]:
    return sorted({row["status_id"] for row in _rows(mappings_dir / "status_flow_mapping.csv")})


def environment_patterns(mappings_dir: Path) -> list[str]:
    """The tier patterns that name environments, case-insensitive as the tiers match them; a catch-all
    (one matching the empty name) names none."""
    patterns = [row["environment_pattern"] for row in _rows(mappings_dir / "environment_tiers.csv")]
    return [f"(?i){p}" for p in patterns if not re.search(p, "")]


def expectation_parameters(mappings_dir: Path | None, settings: QualitySettings) -> dict[str, Any]:
    """The values the suites' ``{"$PARAMETER": ...}`` kwargs take."""
    folder = mappings_dir or SHIPPED_MAPPINGS_DIR
    return {
        "known_status_ids": known_status_ids(folder),
        "environment_patterns": environment_patterns(folder),
        "max_clock_skew_minutes": settings.max_clock_skew_minutes,
    }
