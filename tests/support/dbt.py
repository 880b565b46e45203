"""Running the dbt project from tests: ``dbt build`` (or any command) against a given DuckDB file.

Each call runs dbt in a subprocess with its own ``--target-path`` and ``--log-path`` under a
temporary directory, so parallel test runs never share dbt's artifacts. The warehouse is chosen
with ``STREAMGAUGE_WAREHOUSE_PATH``; ``mappings_dir`` points ``STREAMGAUGE_MAPPINGS_DIR`` at a
copy of ``seeds/mappings``; ``vars`` become ``--vars`` (JSON).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
DEFAULT_MAPPINGS_DIR = DBT_PROJECT_DIR / "seeds" / "mappings"

# dbt's own entry point, run with this interpreter (no dependence on where the venv's scripts are)
_DBT_MAIN = "import sys; from dbt.cli.main import cli; sys.exit(cli())"


@dataclass
class DbtResult:
    """What a dbt invocation left behind."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    run_results: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def statuses(self) -> dict[str, str]:
        """Node → status ('success', 'error', 'skipped', 'pass', 'fail', 'warn' …), keyed by the
        unique id and, for models and seeds, also by their bare name."""
        out: dict[str, str] = {}
        for result in self.run_results.get("results", []):
            unique_id = result["unique_id"]
            out[unique_id] = result["status"]
            if unique_id.startswith(("model.", "seed.")):
                out[unique_id.split(".")[-1]] = result["status"]
        return out

    def failures(self) -> list[str]:
        return [
            f"{r['unique_id']}: {r['status']}: {r.get('message')}"
            for r in self.run_results.get("results", [])
            if r["status"] in {"error", "fail"}
        ]


def copy_mappings(destination: Path) -> Path:
    """A writable copy of the shipped mapping seeds (to edit in a test)."""
    destination = Path(destination)
    shutil.copytree(DEFAULT_MAPPINGS_DIR, destination, dirs_exist_ok=True)
    return destination


def run_dbt(
    warehouse: Path | str,
    command: Sequence[str] = ("build",),
    *,
    vars: Mapping[str, object] | None = None,  # noqa: A002 - dbt's name for them
    mappings_dir: Path | str | None = None,
    work_dir: Path | str | None = None,
    extra_env: Mapping[str, str] | None = None,
    check: bool = False,
    timeout: float = 600,
) -> DbtResult:
    """Run ``dbt <command>`` on the DuckDB file ``warehouse``; returns the outcome.

    ``work_dir`` receives ``target/`` and ``logs/`` (a fresh temporary directory when omitted).
    With ``check=True`` a failing run raises ``AssertionError`` carrying dbt's output.
    """
    work = Path(work_dir) if work_dir is not None else Path(tempfile.mkdtemp(prefix="streamgauge-dbt-"))
    work.mkdir(parents=True, exist_ok=True)
    target_path = work / "target"
    args = [
        *command,
        "--project-dir",
        str(DBT_PROJECT_DIR),
        "--profiles-dir",
        str(DBT_PROJECT_DIR),
        "--target-path",
        str(target_path),
        "--log-path",
        str(work / "logs"),
    ]
    if vars:
        args += ["--vars", json.dumps(dict(vars))]
    env = {
        **os.environ,
        "STREAMGAUGE_WAREHOUSE_PATH": str(Path(warehouse).resolve()),
        "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
        "DBT_USE_COLORS": "false",
        "DBT_PARTIAL_PARSE": "false",
    }
    env.pop("STREAMGAUGE_MAPPINGS_DIR", None)
    if mappings_dir is not None:
        env["STREAMGAUGE_MAPPINGS_DIR"] = str(Path(mappings_dir).resolve())
    env.update(extra_env or {})
    completed = subprocess.run(
        [sys.executable, "-c", _DBT_MAIN, *args],
        cwd=DBT_PROJECT_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    run_results_file = target_path / "run_results.json"
    run_results = json.loads(run_results_file.read_text()) if run_results_file.exists() else {}
    result = DbtResult(args, completed.returncode, completed.stdout, completed.stderr, run_results)
    if check and not result.ok:
        raise AssertionError(
            f"dbt {' '.join(command)} failed ({result.returncode}):\n"
            + "\n".join(result.failures())
            + "\n"
            + result.output[-6000:]
        )
    return result
