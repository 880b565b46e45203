"""Model tests: land hand-written payloads, run dbt against a temporary DuckDB file, read marts."""

from __future__ import annotations

import sys
from pathlib import Path

_REPO_ROOT = Path(__file__).resolve().parents[2]
if str(_REPO_ROOT) not in sys.path:  # tests.support is not an installed package
    sys.path.insert(0, str(_REPO_ROOT))
