import os
from pathlib import Path

import pytest

from orchestration.config import MEMORY_LIMIT_ENV
from orchestration.dbt import WAREHOUSE_ENV
from orchestration.dbt_threads import (
    DBT_THREADS_ENV,
    DEFAULT_DBT_THREADS,
    dbt_threads,
    memory_limit_bytes,
    threads_for,
)
from orchestration.resources import StreamgaugeResource

REPO = Path(__file__).resolve().parents[2]
GIB = 1024**3


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("4GB", 4_000_000_000),
        ("4 gb", 4_000_000_000),
        ("4GiB", 4 * GIB),
        ("2.5GB", 2_500_000_000),
        ("500MB", 500_000_000),
        ("512KiB", 512 * 1024),
        ("80%", 8 * GIB),
        ("1e9", None),
        ("4XB", None),
        ("", None),
    ],
)
def test_memory_limits_are_read_in_duckdbs_units(text, expected):
    assert memory_limit_bytes(text, ram_bytes=10 * GIB) == expected


def test_one_model_at_a_time_once_the_warehouse_outgrows_the_limit():
    assert threads_for(warehouse_bytes=5 * GIB, limit_bytes=4 * GIB, configured=None) == 1
    assert threads_for(warehouse_bytes=4 * GIB, limit_bytes=4 * GIB, configured=None) == DEFAULT_DBT_THREADS
    assert threads_for(warehouse_bytes=5 * GIB, limit_bytes=None, configured=None) == DEFAULT_DBT_THREADS


def test_the_configured_number_wins_and_a_bad_one_is_named():
    assert threads_for(warehouse_bytes=5 * GIB, limit_bytes=4 * GIB, configured="3") == 3
    assert threads_for(warehouse_bytes=0, limit_bytes=4 * GIB, configured="1") == 1
    for bad in ("0", "two", "-1"):
        with pytest.raises(ValueError, match=f"{DBT_THREADS_ENV} must be a whole number"):
            threads_for(warehouse_bytes=0, limit_bytes=4 * GIB, configured=bad)


def test_the_working_database_on_disk_decides(tmp_path, monkeypatch):
    monkeypatch.delenv(DBT_THREADS_ENV, raising=False)
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "1KB")
    warehouse = tmp_path / "warehouse.duckdb"
    assert dbt_threads(warehouse) == DEFAULT_DBT_THREADS  # not there yet
    warehouse.write_bytes(b"x" * 1001)
    assert dbt_threads(warehouse) == 1
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "2KB")
    assert dbt_threads(warehouse) == DEFAULT_DBT_THREADS


def test_dbts_environment_carries_the_threads_and_is_restored(tmp_path, monkeypatch):
    config = tmp_path / "streamgauge.yml"
    config.write_text(f"warehouse:\n  data_dir: {tmp_path / 'data'}\n")
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "warehouse.duckdb").write_bytes(b"x" * 2000)
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "1KB")
    monkeypatch.delenv(DBT_THREADS_ENV, raising=False)
    monkeypatch.setenv(WAREHOUSE_ENV, "elsewhere.duckdb")
    with StreamgaugeResource(config_path=str(config)).dbt_environment() as threads:
        assert threads == 1
        assert os.environ[DBT_THREADS_ENV] == "1"
        assert os.environ[WAREHOUSE_ENV] == str(tmp_path / "data" / "warehouse.duckdb")
    assert DBT_THREADS_ENV not in os.environ
    assert os.environ[WAREHOUSE_ENV] == "elsewhere.duckdb"


def test_dbts_profile_reads_the_threads_with_the_same_default():
    profile = (REPO / "dbt_project" / "profiles.yml").read_text()
    expected = f"env_var('{DBT_THREADS_ENV}', '{DEFAULT_DBT_THREADS}') | as_number"
    assert f'threads: "{{{{ {expected} }}}}"' in profile
