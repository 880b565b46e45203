"""Access to the real API payloads in ../shared/realdata (never copied into the project)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

REALDATA = Path(__file__).resolve().parents[2].parent / "shared" / "realdata" / "devlake"


def realdata_path(*parts: str) -> Path:
    """The path of a real-data file, or skip the test cleanly when the folder is absent."""
    path = REALDATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real payloads not available at {path}")
    return path


def devlake_payloads(*parts: str) -> list[dict]:
    """The ``data`` JSON column of a DevLake raw table CSV, as received from the API."""
    csv.field_size_limit(1 << 30)
    with realdata_path(*parts).open(newline="", encoding="utf-8") as handle:
        text = handle.read().lstrip("\n")
    return [json.loads(row["data"]) for row in csv.DictReader(text.splitlines(keepends=True))]
