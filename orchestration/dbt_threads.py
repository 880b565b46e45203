"""How many models dbt builds at a time on the working database.

dbt's threads are connections to one DuckDB database, so the models built side by side share its
memory limit. Most operators spill to disk past it, but not all: at 1,000,000 flow items two heavy
models side by side ran out of memory at 4GB, each pair different, where every model built alone
passed (README, "Performance"). So once the working database outgrows the memory limit, dbt builds
one model at a time, and each gets the whole limit. ``STREAMGAUGE_DBT_THREADS`` overrides the choice.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from orchestration.config import duckdb_config

DBT_THREADS_ENV = "STREAMGAUGE_DBT_THREADS"
DEFAULT_DBT_THREADS = 2

# DuckDB's units: KB, MB, GB, TB are powers of 1000, KiB … TiB of 1024; a percentage is of the RAM
_UNIT_BYTES = {
    "b": 1,
    "bytes": 1,
    **{f"{prefix}b": 1000 ** (power + 1) for power, prefix in enumerate("kmgt")},
    **{f"{prefix}ib": 1024 ** (power + 1) for power, prefix in enumerate("kmgt")},
}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([a-z]+|%)\s*$")


def memory_limit_bytes(text: str, ram_bytes: int) -> int | None:
    """``"4GB"`` → 4,000,000,000, as DuckDB reads it; ``None`` for what it would not accept."""
    match = _SIZE.match(text.lower())
    if not match:
        return None
    number, unit = float(match.group(1)), match.group(2)
    if unit == "%":
        return int(ram_bytes * number / 100)
    return int(number * _UNIT_BYTES[unit]) if unit in _UNIT_BYTES else None


def threads_for(warehouse_bytes: int, limit_bytes: int | None, configured: str | None) -> int:
    """The configured number when set, else one thread once the warehouse outgrows the limit."""
    if configured:
        if not configured.strip().isdigit() or int(configured) < 1:
            raise ValueError(f"{DBT_THREADS_ENV} must be a whole number of threads ≥ 1, not {configured!r}")
        return int(configured)
    if limit_bytes is not None and warehouse_bytes > limit_bytes:
        return 1
    return DEFAULT_DBT_THREADS


def ram_bytes() -> int:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def dbt_threads(working_path: Path) -> int:
    """dbt's threads for a build on ``working_path`` with this process's environment."""
    size = working_path.stat().st_size if working_path.exists() else 0
    limit = memory_limit_bytes(duckdb_config()["memory_limit"], ram_bytes())
    return threads_for(size, limit, os.environ.get(DBT_THREADS_ENV))
