"""Settings of one set of product-analytics and survey files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ProductFilesConfig:
    """Where one tool's (or team's) exports live; each entry a folder (every file of its kind in it,
    sub-folders included) or a single file. At least one is needed.

    ``usage``: the daily usage export per feature (CSV, Parquet or JSON lines); ``nps``: survey
    responses (CSV); ``declared_values``: per-item value, cost of delay and credit weight (CSV);
    ``feature_usage``: the hand-built ``key, adoption_pct, nps_gain`` (CSV).
    """

    name: str
    usage: Path | None = None
    nps: Path | None = None
    declared_values: Path | None = None
    feature_usage: Path | None = None

    def paths(self) -> list[tuple[str, Path]]:
        """(kind, path) of every configured kind, in loading order."""
        out = []
        for kind in ("usage", "nps", "declared_values", "feature_usage"):
            path = getattr(self, kind)
            if path is not None:
                out.append((kind, Path(path)))
        return out
