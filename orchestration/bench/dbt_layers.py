"""The dbt invocations the benchmark times: seeds, each layer on its own, the quality checks, and
the models ``marts.stage_durations`` needs (the like-for-like comparison with the baselines)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from orchestration.config import Settings
from orchestration.dbt import DBT_PROJECT_DIR, dbt_executable
from orchestration.resources import StreamgaugeResource, dbt_profile_env

LAYERS = ("staging", "intermediate", "marts")

# phase name → dbt arguments, in the order they run; models are built in full (incremental ones
# from all raw data, as on a first run)
STEPS: dict[str, list[str]] = {
    "dbt_seed": ["seed"],
    **{f"dbt_{layer}": ["run", "--full-refresh", "--select", f"path:models/{layer}"] for layer in LAYERS},
    "dbt_tests": ["test"],
    "dbt_stage_durations": ["run", "--full-refresh", "--select", "+stage_durations"],
}


def dbt_command(arguments: list[str], config_path: Path, work_dir: Path) -> list[str]:
    """A dbt invocation against the working database of ``config_path`` with the run's variables;
    its artefacts go to ``work_dir`` (never the project's own target folder)."""
    resource = StreamgaugeResource(config_path=str(config_path))
    dbt_vars = resource.dbt_vars(resource.as_of())
    return [
        dbt_executable(),
        "--quiet",
        *arguments,
        "--vars",
        json.dumps(dbt_vars),
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(work_dir / "target"),
        "--log-path",
        str(work_dir / "logs"),
    ]


def dbt_elapsed_s(work_dir: Path) -> float:
    """The last invocation's own elapsed time (``run_results.json``): its work without the start-up."""
    return round(json.loads((work_dir / "target" / "run_results.json").read_text())["elapsed_time"], 2)


def dbt_env(settings: Settings) -> dict[str, str]:
    return {**os.environ, **dbt_profile_env(settings)}
