"""An unmapped issue type or status stops the build with a message naming it, its source and
the issue it was first seen on; the marts are skipped. Adding the row to the mapping seeds (here a
temporary copy, via STREAMGAUGE_MAPPINGS_DIR) lets the build through."""

from __future__ import annotations

import pytest

from tests.support.dbt import DEFAULT_MAPPINGS_DIR, copy_mappings, run_dbt

from .jira_payloads import BACKLOG, DONE, IN_PROGRESS, JiraFixture, land_all, query, status, z

pytestmark = pytest.mark.pipeline

VARS = {"as_of": "2026-09-01T00:00:00Z"}
MARTS = ("flow_items", "status_intervals", "stage_intervals", "stage_durations", "lead_time_by_stage")
# only the flow marts and what they are built from: the other sources are empty here
BUILD = ["build", "--select", *(f"+{mart}" for mart in MARTS), "--indirect-selection", "cautious"]


def _fixture() -> JiraFixture:
    j = JiraFixture("demo-jira")
    j.add_status("10113", "Waiting for Customer")
    j.add_issue_type("Widget", "10099")
    # PAY-12 enters the unmapped status first, PAY-30 later
    j.issue("1012", "PAY-12", z("2026-07-01 00:00"), "10113", type_name="Bug")
    j.history("1012", z("2026-07-02 00:00"), status(BACKLOG, IN_PROGRESS))
    j.history("1012", z("2026-07-03 00:00"), status(IN_PROGRESS, "10113", to_name="Waiting for Customer"))
    j.issue("1030", "PAY-30", z("2026-07-01 00:00"), DONE)
    j.history("1030", z("2026-07-04 00:00"), status(BACKLOG, "10113", to_name="Waiting for Customer"))
    j.history("1030", z("2026-07-05 00:00"), status("10113", DONE, from_name="Waiting for Customer"))
    j.issue("1031", "PAY-31", z("2026-07-06 00:00"), BACKLOG, type_name="Widget")
    return j


def _append(path, line: str) -> None:
    text = path.read_text()
    path.write_text(text + ("" if text.endswith("\n") else "\n") + line + "\n")


def _assert_marts_skipped(result) -> None:
    statuses = result.statuses()
    for mart in MARTS:
        assert statuses[mart] == "skipped", (mart, statuses.get(mart))


def test_unmapped_type_then_status_stop_the_build_until_mapped(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    land_all(warehouse, _fixture())
    mappings = copy_mappings(tmp_path / "mappings")

    # 1. the issue type is checked first (the flow items depend on it)
    first = run_dbt(warehouse, BUILD, vars=VARS, mappings_dir=mappings, work_dir=tmp_path / "run1")
    assert not first.ok
    expected = (
        f'streamgauge: issue type 10099 "Widget" from source demo-jira is not in issue_type_mapping '
        f"(first seen on PAY-31) — add it to {mappings}/issue_type_mapping.csv"
    )
    assert expected in first.output, first.output[-4000:]
    assert first.statuses()["int_issue_types_resolved"] == "error"
    _assert_marts_skipped(first)
    listed = query(warehouse, "select * from audit.assert_issue_types_are_mapped")
    assert [
        (r["source"], r["issue_type_id"], r["issue_type_name"], r["first_seen_issue_key"]) for r in listed
    ] == [("demo-jira", "10099", "Widget", "PAY-31")]

    # 2. with the type mapped, the status stops the build
    _append(mappings / "issue_type_mapping.csv", "demo-jira,10099,Widget,,,Feature,story")
    second = run_dbt(warehouse, BUILD, vars=VARS, mappings_dir=mappings, work_dir=tmp_path / "run2")
    assert not second.ok
    expected = (
        'streamgauge: status 10113 "Waiting for Customer" from source demo-jira is not in '
        f"status_flow_mapping (first seen on PAY-12) — add it to {mappings}/status_flow_mapping.csv"
    )
    assert expected in second.output, second.output[-4000:]
    assert second.statuses()["int_issue_types_resolved"] == "success"
    assert second.statuses()["int_status_intervals_mapped"] == "error"
    _assert_marts_skipped(second)
    listed = query(warehouse, "select * from audit.assert_statuses_are_mapped")
    assert [
        (r["source"], r["status_id"], r["status_name"], r["first_seen_issue_key"], r["interval_count"])
        for r in listed
    ] == [("demo-jira", "10113", "Waiting for Customer", "PAY-12", 2)]

    # 3. mapped: the build passes and uses the new rows
    _append(mappings / "status_flow_mapping.csv", "demo-jira,10113,Waiting for Customer,waiting,Review,,")
    third = run_dbt(warehouse, BUILD, vars=VARS, mappings_dir=mappings, work_dir=tmp_path / "run3")
    assert third.ok, "\n".join(third.failures()) + third.output[-4000:]
    rows = query(
        warehouse,
        "select issue_key, flow_state, stage, duration_hours from marts.status_intervals "
        "where status_id = '10113' order by issue_key",
    )
    assert rows == [
        {
            "issue_key": "PAY-12",
            "flow_state": "waiting",
            "stage": "Review",
            "duration_hours": pytest.approx(60 * 24),
        },
        {
            "issue_key": "PAY-30",
            "flow_state": "waiting",
            "stage": "Review",
            "duration_hours": pytest.approx(24),
        },
    ]
    widget = query(warehouse, "select flow_item_type from marts.flow_items where issue_key = 'PAY-31'")
    assert widget == [{"flow_item_type": "Feature"}]

    # dbt would overwrite seeds read from outside the project with SQL (dbt-core #7373); the
    # project's noop_statement override prevents it
    assert (mappings / "stages.csv").read_bytes() == (DEFAULT_MAPPINGS_DIR / "stages.csv").read_bytes()
    assert (mappings / "status_flow_mapping.csv").read_text().startswith("source,status_id,status_name,")
