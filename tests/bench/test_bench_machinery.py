"""The benchmark's own machinery: sizes, measuring a child process, the results file and table."""

from __future__ import annotations

import json
import sys

import pytest

from orchestration.bench.measure import PhaseFailed, run_measured
from orchestration.bench.results import PHASE_LABELS, format_table, ratios, write_results
from orchestration.bench.sizes import DEFAULT_SIZES, parse_sizes


def test_sizes_read_like_people_write_them():
    assert parse_sizes("100k, 10k,1m,10000") == [10_000, 100_000, 1_000_000]
    assert parse_sizes("2.5k") == [2_500]
    assert parse_sizes(None) == list(DEFAULT_SIZES)
    with pytest.raises(ValueError):
        parse_sizes("0")


def test_a_phase_reports_its_wall_time_and_its_own_peak_memory():
    touch_150_mb = "b = bytearray(150 * 2**20); b[::4096] = b'x' * len(b[::4096])"
    measured = run_measured([sys.executable, "-c", touch_150_mb])
    assert measured.peak_mb >= 150
    assert measured.wall_s > 0
    # not this (larger) process's size, which Linux hands on to a child it starts directly
    ballast = bytearray(300 * 2**20)
    ballast[::4096] = b"x" * len(ballast[::4096])
    assert run_measured([sys.executable, "-c", "pass"]).peak_mb < 100
    with pytest.raises(PhaseFailed):
        run_measured([sys.executable, "-c", "raise SystemExit(3)"])


def _size(flow_items: int) -> dict:
    """One size's figures as orchestration.bench.size writes them (values made up)."""
    phase = {"wall_s": 2.0, "peak_mb": 100.0}
    figures = {key: dict(phase) for key in PHASE_LABELS}
    figures["flow_items"] = flow_items
    figures["copies"] = {"base_flow_items": min(flow_items, 5_000), "count": max(1, flow_items // 5_000)}
    figures["full_run"]["steps_s"] = {"jira_raw": 1.0, "dbt_models": 10.0}
    figures["dbt_stage_durations"]["dbt_elapsed_s"] = 1.5
    figures["baseline_sql"]["compute_s"] = figures["baseline_pandas"]["compute_s"] = 0.5
    figures["incremental"] |= {"steps_s": {"jira_raw": 0.5, "dbt_models": 4.0}, "new_raw_rows_pct": 1.2}
    figures["land"] |= {"jira_items_per_s": 1000.0}
    figures["size"] = {"status_changes": 20 * flow_items}
    figures["agreement"] = {"rows": 3 * flow_items, "items": flow_items}
    return figures


def test_the_results_file_and_table_hold_every_size_and_ratio(tmp_path):
    sizes = [_size(1_000), _size(10_000)]
    for size in sizes:
        size["ratios"] = ratios(size)
    assert sizes[0]["ratios"]["incremental_dbt_vs_full_dbt"] == pytest.approx(0.4)
    path = tmp_path / "bench_results.json"
    write_results(path, sizes)
    saved = json.loads(path.read_text())
    assert saved["machine"]["cpus"] >= 1
    assert [size["flow_items"] for size in saved["sizes"]] == [1_000, 10_000]
    assert set(saved["sizes"][0]["ratios"]) == {
        "full_dbt_build_s",
        "dbt_layers_total_s",
        "incremental_dbt_vs_full_dbt",
        "incremental_run_vs_full_run",
        "marts_vs_hand_written_sql",
        "marts_vs_hand_written_sql_compute",
        "pandas_vs_marts",
        "pandas_vs_marts_compute",
    }
    table = format_table(sizes)
    assert "pandas baseline" in table and "10,000" in table and "2 × 5,000" in table


def test_the_baselines_query_under_the_memory_limit_dbts_models_have(tmp_path, monkeypatch):
    import duckdb
    import pandas as pd

    from orchestration.bench.phases import _baseline
    from orchestration.config import MEMORY_LIMIT_ENV

    config = tmp_path / "streamgauge.yml"
    config.write_text(f"warehouse:\n  data_dir: {tmp_path}\n")
    duckdb.connect(str(tmp_path / "warehouse.duckdb")).close()
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "512MB")

    def memory_limit(con, as_of):
        return pd.DataFrame({"limit": [con.execute("SELECT current_setting('memory_limit')").fetchone()[0]]})

    assert _baseline(config, tmp_path / "baseline.json", memory_limit)["rows"] == 1
    assert pd.read_parquet(tmp_path / "baseline.parquet")["limit"].tolist() == ["488.2 MiB"]
