"""The benchmark's Python phases, each run in its own process so its wall time and peak memory are
its own: ``python -m orchestration.bench.phases <phase> <streamgauge.yml> <result.json>``.

pipeline   the whole main job, as ``streamgauge demo`` runs it, with its steps' durations
           (``pipeline <config> <result> full-refresh``: incremental models rebuilt from all raw data)
land       the main job's extract assets only (the raw group)
replicate  copy what the base organisation landed <factor> times over (orchestration.bench.replicas)
check      every copy's marts equal the base's (after a replicated build)
pandas     baseline (a), the tutorial's pandas recipe, written to <result>.parquet
sql        baseline (b), the hand-written DuckDB query, written to <result>.parquet
"""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas  # noqa: F401 - loaded before any timing: DuckDB's .df() would import it on first use

from orchestration.config import duckdb_config, load_settings

HAND_WRITTEN_QUERY = Path(__file__).with_name("stage_durations.sql")


def raw_row_counts(warehouse: Path) -> dict[str, int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = [
            name
            for (name,) in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'raw' ORDER BY table_name"
            ).fetchall()
        ]
        return {name: con.execute(f"SELECT count(*) FROM raw.{name}").fetchone()[0] for name in tables}


def pipeline(config_path: Path, groups: tuple[str, ...] = (), full_refresh: bool = False) -> dict:
    import dagster as dg

    from orchestration.cli import run_main_job

    instance = dg.DagsterInstance.ephemeral()
    started = time.monotonic()
    ok = run_main_job(config_path, instance=instance, groups=groups, full_refresh=full_refresh)
    wall = time.monotonic() - started
    if not ok:
        raise SystemExit(f"the main job failed against {config_path}")
    run = instance.get_runs(limit=1)[0]
    steps = {
        stat.step_key: round(stat.end_time - stat.start_time, 2)
        for stat in instance.get_run_step_stats(run.run_id)
        if stat.end_time and stat.start_time
    }
    rows = raw_row_counts(load_settings(config_path).warehouse.working_path)
    return {"wall_s": round(wall, 2), "steps_s": steps, "raw_rows": rows}


def _baseline(config_path: Path, result_path: Path, compute) -> dict:
    """``compute`` timed on the working database, under the memory limit dbt's models have."""
    settings = load_settings(config_path)
    with duckdb.connect(str(settings.warehouse.working_path), read_only=True, config=duckdb_config()) as con:
        started = time.monotonic()
        frame = compute(con, settings.warehouse.as_of)
        wall = time.monotonic() - started
    frame.to_parquet(result_path.with_suffix(".parquet"), index=False)
    return {"compute_s": round(wall, 2), "rows": len(frame)}


def _naive_utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def pandas_baseline(config_path: Path, result_path: Path) -> dict:
    from orchestration.bench.pandas_baseline import stage_durations

    return _baseline(config_path, result_path, stage_durations)


def sql_baseline(config_path: Path, result_path: Path) -> dict:
    return _baseline(
        config_path,
        result_path,
        lambda con, as_of: con.execute(HAND_WRITTEN_QUERY.read_text(), {"as_of": _naive_utc(as_of)}).df(),
    )


def replicate(config_path: Path, factor: int) -> dict:
    from orchestration.bench.replicas import (
        COPY_STORAGE,
        replicate_mappings,
        replicate_raw,
        replication_for,
    )

    settings = load_settings(config_path)
    replication = replication_for(settings, factor)
    started = time.monotonic()
    with duckdb.connect(str(settings.warehouse.working_path), config=duckdb_config() | COPY_STORAGE) as con:
        rows = replicate_raw(con, replication)
    if settings.mappings_dir:
        replicate_mappings(settings.mappings_dir, replication)
    return {"compute_s": round(time.monotonic() - started, 2), "rows_added": sum(rows.values())}


def check_replicas(config_path: Path, factor: int) -> dict:
    from orchestration.bench.replicas import replica_mismatches, replication_for

    settings = load_settings(config_path)
    with duckdb.connect(str(settings.warehouse.working_path), read_only=True) as con:
        mismatches = replica_mismatches(con, replication_for(settings, factor))
    if any(mismatches.values()):
        raise SystemExit(f"copies of the base organisation differ from it in the marts: {mismatches}")
    return {"marts_checked": sorted(mismatches)}


FULL_REFRESH = "full-refresh"

PHASES = {
    "pipeline": lambda config, result, *flags: pipeline(config, full_refresh=FULL_REFRESH in flags),
    "land": lambda config, result: pipeline(config, groups=("raw",)),
    "replicate": lambda config, result, factor: replicate(config, int(factor)),
    "check": lambda config, result, factor: check_replicas(config, int(factor)),
    "pandas": pandas_baseline,
    "sql": sql_baseline,
}


def main(argv: list[str]) -> int:
    phase, config_path, result_path, *extra = argv[0], Path(argv[1]), Path(argv[2]), *argv[3:]
    result_path.write_text(json.dumps(PHASES[phase](config_path, result_path, *extra)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
