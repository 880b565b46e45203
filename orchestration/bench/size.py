"""One benchmark size, in its own process: generate the organisation, serve it, and time every phase
(``python -m orchestration.bench.size <flow_items> <work_dir> <result.json>``).

The phases run as child processes, against the simulated APIs served from this one:

1. the full main job (``streamgauge demo``-style: land every source, dbt build, publish, reports) at
   the first clock, ``REFRESH_DAYS`` before the end of the simulated history; the landing figures
   are its extract steps;
2. on its working database: ``dbt seed``, each layer on its own, ``dbt test`` (the quality checks),
   and the models behind ``marts.stage_durations``;
3. there: the pandas and hand-written SQL baselines, checked against ``marts.stage_durations``;
4. the same job again at the end of the history: the incremental refresh.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path

import duckdb

from extractors.simulation import FaultPlan, OrgConfig, SimulatedOrganisation
from orchestration.bench.agreement import check_agreement
from orchestration.bench.dbt_layers import STEPS, dbt_command, dbt_elapsed_s, dbt_env
from orchestration.bench.measure import run_measured
from orchestration.config import load_settings
from orchestration.demo import simulated_sources

# The extractors page through each source one request at a time (README, "Performance").
CONCURRENT_REQUESTS = 1
REFRESH_DAYS = 1
# The simulated GitHub enforces GitHub's 5,000 requests per hour per token, which the extractor obeys
# by waiting for the reset: beyond a few thousand pull requests landing would measure that wait.
UNTHROTTLED_GITHUB = {"github": FaultPlan(rate_limit_quota=10**9)}
JIRA_STEP = "jira_raw"

SIZE_FIGURES = {
    "issues": "SELECT count(*) FROM raw.jira_issues",
    "status_changes": "SELECT count(*) FROM staging.stg_jira__changelog_items WHERE field_id = 'status'",
    "pull_requests": "SELECT count(*) FROM raw.github_pull_requests",
    "deployments": "SELECT count(*) FROM raw.github_deployments",
    "incidents": "SELECT count(*) FROM raw.pagerduty_incidents",
}


def _python_phase(phase: str, config_path: Path, result_path: Path) -> dict:
    measured = run_measured(
        [sys.executable, "-m", "orchestration.bench.phases", phase, str(config_path), str(result_path)]
    )
    return {**asdict(measured), **json.loads(result_path.read_text())}


def _size_figures(warehouse: Path) -> dict[str, int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {name: con.execute(query).fetchone()[0] for name, query in SIZE_FIGURES.items()}


def _pipeline_run(org: SimulatedOrganisation, work_dir: Path, name: str) -> tuple[dict, Path]:
    started = time.monotonic()
    with simulated_sources(org, work_dir, faults=UNTHROTTLED_GITHUB) as config_path:
        setup = round(time.monotonic() - started, 2)
        figures = _python_phase("pipeline", config_path, work_dir / f"{name}.json")
    return {**figures, "sources_setup_s": setup}, config_path


def _landing(full_run: dict) -> dict:
    """Landing figures from the full run's extract steps (every step but dbt and what follows it)."""
    extract = {step: seconds for step, seconds in full_run["steps_s"].items() if step.endswith("_raw")}
    wall = sum(extract.values())
    issues = full_run["raw_rows"].get("jira_issues", 0)
    return {
        "wall_s": round(wall, 2),
        "peak_mb": full_run["peak_mb"],
        "steps_s": extract,
        "jira_items_per_s": round(issues / extract[JIRA_STEP], 1),
        "rows_per_s": round(sum(full_run["raw_rows"].values()) / wall, 1),
        "concurrent_requests": CONCURRENT_REQUESTS,
    }


def _phased(config_path: Path) -> dict:
    """dbt by layer, the quality checks and the baselines on the full run's working database."""
    figures: dict = {}
    settings = load_settings(config_path)
    work_dir = config_path.parent
    env = dbt_env(settings)
    for phase, arguments in STEPS.items():
        measured = run_measured(dbt_command(arguments, config_path, work_dir), env=env)
        figures[phase] = {**asdict(measured), "dbt_elapsed_s": dbt_elapsed_s(work_dir)}
    for phase in ("pandas", "sql"):
        figures[f"baseline_{phase}"] = _python_phase(phase, config_path, work_dir / f"baseline_{phase}.json")
    agreement = check_agreement(
        settings.warehouse.working_path,
        {name: work_dir / f"baseline_{name}.parquet" for name in ("pandas", "sql")},
    )
    figures["agreement"] = asdict(agreement)
    figures["size"] = _size_figures(settings.warehouse.working_path)
    return figures


def bench_size(flow_items: int, work_dir: Path, *, seed: int = 7) -> dict:
    started = time.monotonic()
    org = SimulatedOrganisation.generate(OrgConfig(seed=seed, flow_items=flow_items))
    generated = {
        "wall_s": round(time.monotonic() - started, 2),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    org.set_clock(org.config.end - timedelta(days=REFRESH_DAYS))
    full_run, config_path = _pipeline_run(org, work_dir, "full_run")
    # the simulator renders lazily: serving the first time (wire payloads, Git clones) is generation
    generated["wall_s"] = round(generated["wall_s"] + full_run["sources_setup_s"], 2)
    figures = {
        "flow_items": flow_items,
        "generate": generated,
        "full_run": full_run,
        "land": _landing(full_run),
    }
    figures |= _phased(config_path)
    org.set_clock(org.config.end)
    refresh, _ = _pipeline_run(org, work_dir, "incremental")
    before, after = full_run["raw_rows"], refresh["raw_rows"]
    refresh["new_raw_rows"] = sum(after.values()) - sum(before.values())
    refresh["new_raw_rows_pct"] = round(100 * refresh["new_raw_rows"] / max(1, sum(before.values())), 2)
    figures["incremental"] = refresh
    return figures


def main(argv: list[str]) -> int:
    flow_items, work_dir, result_path = int(argv[0]), Path(argv[1]), Path(argv[2])
    work_dir.mkdir(parents=True, exist_ok=True)
    result_path.write_text(json.dumps(bench_size(flow_items, work_dir), indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
