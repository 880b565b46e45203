"""A fresh warehouse (no raw tables at all: nothing extracted yet, no tombstones ever) builds:
missing source tables read as empty, the marts exist and are empty."""

from __future__ import annotations

import duckdb
import pytest

from tests.support.dbt import run_dbt

from .jira_payloads import query

pytestmark = pytest.mark.pipeline


def test_fresh_warehouse_builds_empty_marts(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    duckdb.connect(str(warehouse)).close()
    result = run_dbt(warehouse, ["build"], vars={"as_of": "2026-09-01T00:00:00Z"}, work_dir=tmp_path)
    assert result.ok, "\n".join(result.failures()) + "\n" + result.output[-6000:]
    for mart in ("flow_items", "status_intervals", "stage_intervals", "stage_durations"):
        assert query(warehouse, f"select count(*) as n from marts.{mart}") == [{"n": 0}], mart
    snapshot = query(
        warehouse,
        "select stage, total_hours, items_in_window, pct_of_lead_time, is_widest "
        "from marts.lead_time_by_stage order by stage_order",
    )
    assert snapshot == [
        {"stage": s, "total_hours": 0.0, "items_in_window": 0, "pct_of_lead_time": None, "is_widest": False}
        for s in ("Discovery", "Dev", "Review", "Deploy", "Feedback")
    ]
