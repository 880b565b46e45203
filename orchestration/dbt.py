"""The dbt project handle, and keeping its manifest current for Dagster to load."""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import sys
from pathlib import Path

from dagster_dbt import DbtProject

REPO_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
WAREHOUSE_ENV = "STREAMGAUGE_WAREHOUSE_PATH"
MAPPINGS_ENV = "STREAMGAUGE_MAPPINGS_DIR"

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


def dbt_executable() -> str:
    return str(Path(sys.executable).with_name("dbt"))


def _newest_source_mtime() -> float:
    patterns = ("models/**/*", "macros/**/*", "seeds/**/*", "tests/**/*", "dbt_project.yml")
    return max(
        (p.stat().st_mtime for pattern in patterns for p in DBT_PROJECT_DIR.glob(pattern) if p.is_file()),
        default=0.0,
    )


def _manifest_is_current(manifest: Path) -> bool:
    return manifest.exists() and manifest.stat().st_mtime >= _newest_source_mtime()


def ensure_manifest() -> Path:
    """Run ``dbt parse`` when the manifest is missing or older than the project's files.

    Processes starting together (parallel test workers, a webserver and a run) parse one at a time
    under a file lock, so none reads a manifest another is still writing."""
    manifest = dbt_project.manifest_path
    if _manifest_is_current(manifest):
        return manifest
    manifest.parent.mkdir(parents=True, exist_ok=True)
    with (manifest.parent / ".parse.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _manifest_is_current(manifest):
            _parse()
    return manifest


def _parse() -> None:
    env = {**os.environ}
    env.setdefault(WAREHOUSE_ENV, str(REPO_ROOT / "data" / "warehouse.duckdb"))
    subprocess.run(
        [
            dbt_executable(),
            "parse",
            "--quiet",
            "--project-dir",
            str(DBT_PROJECT_DIR),
            "--profiles-dir",
            str(DBT_PROJECT_DIR),
        ],
        check=True,
        env=env,
        cwd=DBT_PROJECT_DIR,
    )


# dagster-dbt gives every invocation its own target folder (about 33 MB at the demo's size): a daily
# schedule would keep a year of them. The newest ones stay for looking into a failed build.
KEPT_INVOCATIONS = 10


def prune_invocation_folders(current: Path, keep: int = KEPT_INVOCATIONS) -> list[Path]:
    """Remove all but the ``keep`` newest finished target folders of the op ``current`` belongs to
    (its siblings named ``<op>-<run id>-<uuid>`` that hold a ``run_results.json``: a build still
    running elsewhere has none yet; ``current`` always stays). Returns the removed ones."""
    op_name = current.name.split("-", 1)[0]
    siblings = [
        path
        for path in current.parent.glob(f"{op_name}-*")
        if path != current and (path / "run_results.json").is_file()
    ]
    siblings.sort(key=lambda path: path.stat().st_mtime, reverse=True)
    removed = siblings[max(0, keep - 1) :]
    for path in removed:
        shutil.rmtree(path, ignore_errors=True)
    return removed
