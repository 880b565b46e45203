"""One benchmark size, in its own process: generate the organisation, serve it, and time every phase
(``python -m orchestration.bench.size <flow_items> <base_flow_items> <work_dir> <result.json>``).

The phases run as child processes, against the simulated APIs served from this one:

1. the full main job (``streamgauge demo``-style: land every source, dbt build, publish, reports) at
   the first clock, ``REFRESH_DAYS`` before the end of the simulated history; the landing figures
   are its extract steps. Past ``BASE_FLOW_ITEMS`` that job runs on the base organisation, which is
   then copied (``orchestration.bench.replicas``) and the job runs again on all of it: the full run;
   every copy's marts must equal the base's;
2. on its working database: ``dbt seed``, each layer on its own, ``dbt test`` (the quality checks),
   and the models behind ``marts.stage_durations``;
3. there: the pandas and hand-written SQL baselines, checked against ``marts.stage_durations``;
4. the same job again at the end of the history: the incremental refresh (past the base size: land
   the base's new data, copy it, run the job).
"""

from __future__ import annotations

import contextlib
import json
import resource
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict
from datetime import timedelta
from pathlib import Path

import duckdb

from extractors.launchdarkly.config import LaunchDarklySourceConfig
from extractors.simulation import FaultPlan, OrgConfig, SimulatedOrganisation
from orchestration.bench.agreement import check_agreement
from orchestration.bench.dbt_layers import STEPS, dbt_command, dbt_elapsed_s, dbt_env
from orchestration.bench.measure import run_measured
from orchestration.bench.phases import FULL_REFRESH
from orchestration.bench.sizes import BASE_FLOW_ITEMS, base_and_copies
from orchestration.config import load_settings
from orchestration.dbt_threads import DBT_THREADS_ENV
from orchestration.demo import simulated_sources

# LaunchDarkly reads a page's audit-log entries several at a time (its default concurrent_requests);
# the other extractors page one request at a time (README, "Performance").
CONCURRENT_STEP = "launchdarkly_raw"
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


def _python_phase(phase: str, config_path: Path, result_path: Path, *extra: str) -> dict:
    arguments = [phase, str(config_path), str(result_path), *extra]
    measured = run_measured([sys.executable, "-m", "orchestration.bench.phases", *arguments])
    return {**asdict(measured), **json.loads(result_path.read_text())}


def _size_figures(warehouse: Path) -> dict[str, int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {name: con.execute(query).fetchone()[0] for name, query in SIZE_FIGURES.items()}


@contextlib.contextmanager
def _served(org: SimulatedOrganisation, work_dir: Path) -> Iterator[tuple[Path, float]]:
    """The organisation served at its clock: the configuration's path and the seconds it took to
    render (wire payloads, Git clones: generation work the simulator does lazily)."""
    started = time.monotonic()
    with simulated_sources(org, work_dir, faults=UNTHROTTLED_GITHUB) as config_path:
        yield config_path, round(time.monotonic() - started, 2)


def _landing(full_run: dict) -> dict:
    """Landing figures from a run's extract steps (every step but dbt and what follows it)."""
    extract = {step: seconds for step, seconds in full_run["steps_s"].items() if step.endswith("_raw")}
    wall = sum(extract.values())
    issues = full_run["raw_rows"].get("jira_issues", 0)
    return {
        "wall_s": round(wall, 2),
        "peak_mb": full_run["peak_mb"],
        "steps_s": extract,
        "jira_items_per_s": round(issues / extract[JIRA_STEP], 1),
        "rows_per_s": round(sum(full_run["raw_rows"].values()) / wall, 1),
        "concurrent_requests": {
            step: LaunchDarklySourceConfig.concurrent_requests if step == CONCURRENT_STEP else 1
            for step in extract
        },
    }


def _phased(config_path: Path) -> dict:
    """dbt by layer, the quality checks and the baselines on the full run's working database."""
    figures: dict = {}
    settings = load_settings(config_path)
    work_dir = config_path.parent
    env = dbt_env(settings)
    figures["dbt_threads"] = int(env[DBT_THREADS_ENV])
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


def _summed(*phases: dict) -> dict:
    return {
        "wall_s": round(sum(phase["wall_s"] for phase in phases), 2),
        "peak_mb": max(phase["peak_mb"] for phase in phases),
    }


def _scaled_run(
    org: SimulatedOrganisation, work_dir: Path, name: str, copies: int, *, full_refresh: bool
) -> dict:
    """The main job at the organisation's clock with ``copies`` copies of everything landed: the
    base lands through the simulated APIs, the copies are made of it, then the whole job runs
    (``full_refresh``: its incremental models rebuilt from all raw data, as on a first run)."""
    with _served(org, work_dir) as (config_path, setup_s):
        landed = _python_phase("land", config_path, work_dir / f"{name}_land.json")
        replicated = _python_phase("replicate", config_path, work_dir / f"{name}_copies.json", str(copies))
        flags = [FULL_REFRESH] if full_refresh else []
        run = _python_phase("pipeline", config_path, work_dir / f"{name}.json", *flags)
    return {
        **run,
        **_summed(landed, replicated, run),
        "sources_setup_s": setup_s,
        "base_landing": landed,
        "replicate": replicated,
    }


def bench_size(
    flow_items: int, work_dir: Path, *, base_flow_items: int = BASE_FLOW_ITEMS, seed: int = 7
) -> dict:
    base, copies = base_and_copies(flow_items, base_flow_items)
    started = time.monotonic()
    org = SimulatedOrganisation.generate(OrgConfig(seed=seed, flow_items=base))
    generated = {
        "wall_s": round(time.monotonic() - started, 2),
        "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }
    org.set_clock(org.config.end - timedelta(days=REFRESH_DAYS))
    with _served(org, work_dir) as (config_path, setup_s):
        # the simulator renders lazily: serving the first time (wire payloads, Git clones) is generation
        generated["wall_s"] = round(generated["wall_s"] + setup_s, 2)
        base_run = _python_phase("pipeline", config_path, work_dir / "base_run.json")
    figures = {"flow_items": base * copies, "copies": {"base_flow_items": base, "count": copies}}
    if copies == 1:
        full_run = base_run
    else:
        full_run = _scaled_run(org, work_dir, "full_run", copies, full_refresh=True)
        replicated = full_run["replicate"]
        generated = {**_summed(generated, replicated), "replicate_s": replicated["wall_s"]}
        figures["copies"]["check"] = _python_phase("check", config_path, work_dir / "check.json", str(copies))
    figures |= {"generate": generated, "full_run": full_run, "land": _landing(base_run)}
    figures |= _phased(config_path)
    org.set_clock(org.config.end)
    if copies == 1:
        with _served(org, work_dir) as (config_path, _):
            refresh = _python_phase("pipeline", config_path, work_dir / "incremental.json")
    else:
        refresh = _scaled_run(org, work_dir, "incremental", copies, full_refresh=False)
    before, after = full_run["raw_rows"], refresh["raw_rows"]
    refresh["new_raw_rows"] = sum(after.values()) - sum(before.values())
    refresh["new_raw_rows_pct"] = round(100 * refresh["new_raw_rows"] / max(1, sum(before.values())), 2)
    figures["incremental"] = refresh
    return figures


def main(argv: list[str]) -> int:
    flow_items, base_flow_items, work_dir, result_path = (
        int(argv[0]),
        int(argv[1]),
        Path(argv[2]),
        Path(argv[3]),
    )
    work_dir.mkdir(parents=True, exist_ok=True)
    figures = bench_size(flow_items, work_dir, base_flow_items=base_flow_items)
    result_path.write_text(json.dumps(figures, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
