"""Known answers for the Jira flow marts: one warehouse with one issue per edge case (SPEC §6),
built once by ``dbt build`` (models, unit tests and data tests), then read item by item.

All times are UTC unless a payload says otherwise; as_of = 2026-09-01 00:00 UTC; local dates in
Europe/Berlin; the lead-time snapshot window is [2026-07-01, 2026-07-06).
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from tests.support.dbt import run_dbt

from .jira_payloads import (
    BACKLOG,
    CLOSED,
    DONE,
    IN_PROGRESS,
    IN_REVIEW,
    IN_STAGING,
    IN_TEST,
    ON_HOLD,
    OPEN,
    READY_FOR_DEV,
    RELEASING,
    REOPENED,
    RESOLVED,
    TO_DO,
    WONT_DO,
    JiraFixture,
    issuetype,
    land_all,
    moved,
    query,
    status,
    z,
)

pytestmark = pytest.mark.pipeline

AS_OF = datetime(2026, 9, 1)
VARS = {
    "as_of": "2026-09-01T00:00:00Z",
    "reporting_timezone": "Europe/Berlin",
    "lead_time_window_start": "2026-07-01",
    "lead_time_window_end": "2026-07-06T00:00:00+00:00",
    "history_horizons": {"legacy-jira": "2026-07-01"},
}
H = 1.0  # hours


def _demo_jira() -> JiraFixture:
    j = JiraFixture("demo-jira")

    # hierarchy: initiative PAY-21 > epic PAY-20 > story PAY-1 > sub-task PAY-22
    j.issue("1021", "PAY-21", z("2026-06-01 00:00"), TO_DO, type_name="Initiative")
    j.issue("1020", "PAY-20", z("2026-06-01 00:00"), TO_DO, type_name="Epic", parent=("1021", "PAY-21"))
    # a sub-task sits in a status nobody mapped: sub-tasks are no flow items, so it does not matter
    j.add_status("99999", "Sub Waiting")
    j.issue("1022", "PAY-22", z("2026-07-01 08:00"), "99999", type_name="Sub-task", parent=("1001", "PAY-1"))
    j.history("1022", z("2026-07-01 09:00"), status(TO_DO, "99999"))

    # PAY-1 baseline, created in local time (+0200)
    j.issue("1001", "PAY-1", "2026-07-01T09:00:00.000+0200", DONE, parent=("1020", "PAY-20"))
    j.history("1001", z("2026-07-02 08:00"), status(BACKLOG, IN_PROGRESS))
    j.history("1001", z("2026-07-03 08:00"), status(IN_PROGRESS, IN_REVIEW))
    j.history("1001", z("2026-07-04 08:00"), status(IN_REVIEW, DONE))

    # PAY-2 reopened: Done → Reopened → In Progress → Resolved → Closed
    j.issue("1002", "PAY-2", z("2026-07-01 00:00"), CLOSED)
    j.history("1002", z("2026-07-01 10:00"), status(BACKLOG, IN_PROGRESS))
    j.history("1002", z("2026-07-02 10:00"), status(IN_PROGRESS, DONE))
    j.history("1002", z("2026-07-03 10:00"), status(DONE, REOPENED))
    j.history("1002", z("2026-07-03 12:00"), status(REOPENED, IN_PROGRESS))
    j.history("1002", z("2026-07-04 12:00"), status(IN_PROGRESS, RESOLVED))
    j.history("1002", z("2026-07-05 12:00"), status(RESOLVED, CLOSED))

    # PAY-3 skips Review
    j.issue("1003", "PAY-3", z("2026-07-06 00:00"), DONE)
    j.history("1003", z("2026-07-06 06:00"), status(BACKLOG, IN_PROGRESS))
    j.history("1003", z("2026-07-07 06:00"), status(IN_PROGRESS, RELEASING))
    j.history("1003", z("2026-07-07 18:00"), status(RELEASING, DONE))

    # PAY-4 rework loop Dev → Review → Dev → Review
    j.issue("1004", "PAY-4", z("2026-07-10 00:00"), DONE)
    j.history("1004", z("2026-07-10 02:00"), status(BACKLOG, IN_PROGRESS))
    j.history("1004", z("2026-07-10 12:00"), status(IN_PROGRESS, IN_REVIEW))
    j.history("1004", z("2026-07-11 00:00"), status(IN_REVIEW, IN_PROGRESS))
    j.history("1004", z("2026-07-11 06:00"), status(IN_PROGRESS, IN_REVIEW))
    j.history("1004", z("2026-07-11 12:00"), status(IN_REVIEW, DONE))

    # PAY-5: statuses renamed since (the changelog has the old names); mapped by id
    j.issue("1005", "PAY-5", z("2026-07-12 00:00"), DONE)
    j.history("1005", z("2026-07-12 01:00"), status(BACKLOG, IN_PROGRESS))
    j.history("1005", z("2026-07-12 05:00"), status(IN_PROGRESS, IN_REVIEW, to_name="Code Review"))
    j.history(
        "1005", z("2026-07-12 09:00"), status(IN_REVIEW, DONE, from_name="Code Review", to_name="Finished")
    )

    # PAY-6 / PAY-7: In Staging is Review before 2026-08-01 (UTC), Deploy from then on
    j.issue("1006", "PAY-6", z("2026-07-31 20:00"), DONE)
    j.history("1006", z("2026-07-31 22:00"), status(BACKLOG, IN_PROGRESS))
    j.history("1006", "2026-08-01T01:30:00.000+0200", status(IN_PROGRESS, IN_STAGING))  # 23:30 UTC on 31 July
    j.history("1006", z("2026-08-01 03:30"), status(IN_STAGING, DONE))
    j.issue("1007", "PAY-7", z("2026-07-31 20:00"), DONE)
    j.history("1007", z("2026-07-31 22:00"), status(BACKLOG, IN_PROGRESS))
    j.history("1007", "2026-08-01T00:00:00.000+0000", status(IN_PROGRESS, IN_STAGING))
    j.history("1007", z("2026-08-01 04:00"), status(IN_STAGING, DONE))

    # PAY-8 moved to project OPS (now OPS-3); the move also changed its status
    j.issue("1008", "OPS-3", z("2026-07-13 00:00"), DONE, project=("10001", "OPS"))
    j.history("1008", z("2026-07-13 04:00"), status(BACKLOG, IN_PROGRESS))
    j.history(
        "1008",
        z("2026-07-14 04:00"),
        *moved("PAY-8", "OPS-3", ("10000", "PAY"), ("10001", "OPS")),
        status(IN_PROGRESS, IN_TEST),
    )
    j.history("1008", z("2026-07-14 10:00"), status(IN_TEST, DONE))

    # PAY-9: Story → Bug before completion, → Tech Debt after: counted as a Defect
    j.issue("1009", "PAY-9", z("2026-07-15 00:00"), DONE, type_name="Tech Debt")
    j.history("1009", z("2026-07-15 01:00"), status(BACKLOG, IN_PROGRESS))
    j.history("1009", z("2026-07-15 12:00"), issuetype("Story", "Bug"))
    j.history("1009", z("2026-07-16 00:00"), status(IN_PROGRESS, DONE))
    j.history("1009", z("2026-08-01 00:00"), issuetype("Bug", "Tech Debt"))

    # PAY-10: a Story labelled Security is a Risk; open, waiting since 2 August
    j.issue("1010", "PAY-10", z("2026-08-01 00:00"), READY_FOR_DEV, labels=("Security",))
    j.history("1010", z("2026-08-02 00:00"), status(BACKLOG, READY_FOR_DEV))

    # PAY-11: a bot moves it twice in the same millisecond; history ids 998 < 1002 (as text "1002" < "998")
    j.issue("1011", "PAY-11", z("2026-07-17 00:00"), DONE)
    j.history(
        "1011",
        z("2026-07-17 10:00"),
        status(IN_PROGRESS, IN_REVIEW),
        history_id="1002",
        account_type="app",
        display_name="Automation for Jira",
    )
    j.history(
        "1011",
        z("2026-07-17 10:00"),
        status(BACKLOG, IN_PROGRESS),
        history_id="998",
        account_type="app",
        display_name="Automation for Jira",
    )
    j.history("1011", z("2026-07-17 16:00"), status(IN_REVIEW, DONE), history_id="1003")

    # PAY-12: history ids not in time order, landed in reverse and in separate fetches; one
    # history re-fetched with a changed payload (lands again, the latest is kept)
    j.issue("1012", "PAY-12", z("2026-07-18 00:00"), DONE)
    j.history(
        "1012",
        z("2026-07-18 12:00"),
        status(IN_REVIEW, DONE),
        history_id="2500",
        fetched_at=datetime(2026, 8, 29),
    )
    j.history(
        "1012",
        z("2026-07-18 10:00"),
        status(IN_PROGRESS, IN_REVIEW),
        history_id="2000",
        fetched_at=datetime(2026, 8, 30),
    )
    j.history(
        "1012",
        z("2026-07-18 05:00"),
        status(BACKLOG, IN_PROGRESS),
        history_id="3000",
        fetched_at=datetime(2026, 8, 30),
    )
    j.history(
        "1012",
        z("2026-07-18 05:00"),
        status(BACKLOG, IN_PROGRESS),
        history_id="3000",
        display_name="Dana Renamed",
        fetched_at=datetime(2026, 8, 31),
    )

    # PAY-13 across the start of summer time in Berlin (29 March 2026, 02:00 → 03:00)
    j.issue("1013", "PAY-13", "2026-03-28T12:00:00.000+0100", DONE)
    j.history("1013", "2026-03-28T18:00:00.000+0100", status(BACKLOG, IN_PROGRESS))
    j.history("1013", "2026-03-29T12:00:00.000+0200", status(IN_PROGRESS, DONE))

    # PAY-14 completed at 23:30 UTC = 01:30 next day in Berlin
    j.issue("1014", "PAY-14", z("2026-08-10 08:00"), DONE)
    j.history("1014", z("2026-08-10 09:00"), status(BACKLOG, IN_PROGRESS))
    j.history("1014", "2026-08-11T01:30:00.000+0200", status(IN_PROGRESS, DONE))

    # PAY-15 still in progress at as_of
    j.issue("1015", "PAY-15", z("2026-08-20 00:00"), IN_PROGRESS)
    j.history("1015", z("2026-08-25 00:00"), status(BACKLOG, IN_PROGRESS))

    # PAY-16 spends a day On Hold (flow state ignore) in the middle of Dev
    j.issue("1016", "PAY-16", z("2026-07-21 00:00"), DONE)
    j.history("1016", z("2026-07-21 01:00"), status(BACKLOG, IN_PROGRESS))
    j.history("1016", z("2026-07-21 05:00"), status(IN_PROGRESS, ON_HOLD))
    j.history("1016", z("2026-07-22 05:00"), status(ON_HOLD, IN_PROGRESS))
    j.history("1016", z("2026-07-22 07:00"), status(IN_PROGRESS, DONE))

    # PAY-17 deleted (tombstone); PAY-18 tombstoned, then seen again later: live
    j.issue("1017", "PAY-17", z("2026-07-19 00:00"), DONE, fetched_at=datetime(2026, 7, 30))
    j.history("1017", z("2026-07-19 05:00"), status(BACKLOG, IN_PROGRESS))
    j.history("1017", z("2026-07-19 09:00"), status(IN_PROGRESS, DONE))
    j.tombstone("1017", "PAY-17", datetime(2026, 8, 1))
    j.issue("1018", "PAY-18", z("2026-07-19 00:00"), IN_PROGRESS, fetched_at=datetime(2026, 7, 30))
    j.tombstone("1018", "PAY-18", datetime(2026, 8, 1))
    j.issue(
        "1018",
        "PAY-18",
        z("2026-07-19 00:00"),
        IN_PROGRESS,
        summary="Back again",
        updated=z("2026-08-01 12:00"),
        fetched_at=datetime(2026, 8, 2),
    )
    j.history("1018", z("2026-07-19 05:00"), status(BACKLOG, IN_PROGRESS))

    # PAY-19: history truncated (starts in Ready for Dev, not a new status); completed in the window
    j.issue("1019", "PAY-19", z("2026-07-02 00:00"), DONE)
    j.history("1019", z("2026-07-03 00:00"), status(READY_FOR_DEV, IN_PROGRESS))
    j.history("1019", z("2026-07-05 00:00"), status(IN_PROGRESS, DONE))

    # PAY-23: a history is missing in between (In Progress → ? → In Review → Done)
    j.issue("1023", "PAY-23", z("2026-07-22 00:00"), DONE)
    j.history("1023", z("2026-07-22 02:00"), status(BACKLOG, IN_PROGRESS))
    j.history("1023", z("2026-07-22 06:00"), status(IN_REVIEW, DONE))

    # PAY-24: clock skew, the first change is stamped 2 s before the issue's creation
    j.issue("1024", "PAY-24", z("2026-07-25 10:00"), DONE)
    j.history("1024", "2026-07-25T09:59:58.000+0000", status(BACKLOG, IN_PROGRESS))
    j.history("1024", z("2026-07-25 20:00"), status(IN_PROGRESS, DONE))

    # PAY-25 canceled after 6 hours of work
    j.issue("1025", "PAY-25", z("2026-07-26 00:00"), WONT_DO)
    j.history("1025", z("2026-07-26 02:00"), status(BACKLOG, IN_PROGRESS))
    j.history("1025", z("2026-07-26 08:00"), status(IN_PROGRESS, WONT_DO))

    # PAY-26 closed straight from the backlog
    j.issue("1026", "PAY-26", z("2026-07-27 00:00"), DONE)
    j.history("1026", z("2026-07-27 05:00"), status(BACKLOG, DONE))

    # PAY-27 a Bug never touched: one open interval, created in the backlog
    j.issue("1027", "PAY-27", z("2026-08-30 00:00"), BACKLOG, type_name="Bug")

    # the renamed statuses' current names
    j.add_status(IN_REVIEW, "In Review")
    j.add_status(DONE, "Done")
    return j


def _legacy_jira() -> JiraFixture:
    """A second source whose history before 2026-07-01 was never exported (var history_horizons)."""
    j = JiraFixture("legacy-jira")
    j.issue("2001", "LEG-1", z("2026-06-15 00:00"), CLOSED)
    j.history("2001", z("2026-06-16 00:00"), status(OPEN, IN_PROGRESS))
    j.history("2001", z("2026-06-17 00:00"), status(IN_PROGRESS, CLOSED))
    j.issue("2002", "LEG-2", z("2026-07-02 00:00"), CLOSED)
    j.history("2002", z("2026-07-02 01:00"), status(OPEN, IN_PROGRESS))
    j.history("2002", z("2026-07-02 03:00"), status(IN_PROGRESS, CLOSED))
    return j


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    work = tmp_path_factory.mktemp("flow_marts")
    path = work / "warehouse.duckdb"
    land_all(path, _demo_jira(), _legacy_jira())
    result = run_dbt(path, ["build"], vars=VARS, work_dir=work)
    assert result.ok, "\n".join(result.failures()) + "\n" + result.output[-8000:]
    # no data test may even warn (unmapped statuses / issue types are listed by warn tests)
    assert "WARN=0" in result.stdout, result.stdout[-4000:]
    return path


@pytest.fixture(scope="module")
def items(warehouse):
    return {row["issue_key"]: row for row in query(warehouse, "select * from marts.flow_items")}


@pytest.fixture(scope="module")
def intervals(warehouse):
    out: dict[str, list[dict]] = {}
    for row in query(
        warehouse, "select * from marts.status_intervals order by flow_item_id, interval_number"
    ):
        out.setdefault(row["issue_key"], []).append(row)
    return out


@pytest.fixture(scope="module")
def stages(warehouse):
    out: dict[str, dict[str, dict]] = {}
    for row in query(warehouse, "select * from marts.stage_durations"):
        out.setdefault(row["issue_key"], {})[row["stage"]] = row
    return out


@pytest.fixture(scope="module")
def visits(warehouse):
    out: dict[str, list[dict]] = {}
    for row in query(warehouse, "select * from marts.stage_intervals order by flow_item_id, visit_number"):
        out.setdefault(row["issue_key"], []).append(row)
    return out


def stage_hours(stage_rows: dict[str, dict]) -> dict[str, float | None]:
    return {stage: row["duration_hours"] for stage, row in stage_rows.items()}


def approx(value):
    return pytest.approx(value, abs=1e-9)


# ---- which issues are flow items ------------------------------------------------------------------


def test_flow_items_are_live_stories_only(items):
    assert set(items) == {
        "PAY-1",
        "PAY-2",
        "PAY-3",
        "PAY-4",
        "PAY-5",
        "PAY-6",
        "PAY-7",
        "OPS-3",
        "PAY-9",
        "PAY-10",
        "PAY-11",
        "PAY-12",
        "PAY-13",
        "PAY-14",
        "PAY-15",
        "PAY-16",
        "PAY-18",
        "PAY-19",
        "PAY-23",
        "PAY-24",
        "PAY-25",
        "PAY-26",
        "PAY-27",
        "LEG-1",
        "LEG-2",
    }  # not the epic PAY-20, the initiative PAY-21, the sub-task PAY-22 or the deleted PAY-17
    assert {row["hierarchy_level"] for row in items.values()} == {"story"}
    assert items["PAY-1"]["flow_item_id"] == "demo-jira:1001"
    assert items["LEG-1"]["flow_item_id"] == "legacy-jira:2001"
    assert all(row["as_of"] == AS_OF for row in items.values())


def test_hierarchy_keys(items):
    pay1 = items["PAY-1"]
    assert (pay1["parent_issue_key"], pay1["epic_issue_key"], pay1["initiative_issue_key"]) == (
        "PAY-20",
        "PAY-20",
        "PAY-21",
    )
    assert items["PAY-2"]["epic_issue_key"] is None


def test_tombstones_remove_items_from_every_mart(warehouse, items):
    assert "PAY-17" not in items
    for mart in ("status_intervals", "stage_intervals", "stage_durations"):
        rows = query(warehouse, f"select * from marts.{mart} where flow_item_id = 'demo-jira:1017'")
        assert rows == [], mart
    assert items["PAY-18"]["summary"] == "Back again"  # seen again after its tombstone: live


# ---- the straightforward item --------------------------------------------------------------------


def test_baseline_item(items, stages):
    pay1 = items["PAY-1"]
    assert pay1["created_at"] == datetime(2026, 7, 1, 7, 0)  # 09:00+0200 stored as UTC
    assert pay1["flow_start_at"] == pay1["cycle_start_at"] == datetime(2026, 7, 2, 8, 0)
    assert pay1["flow_end_at"] == datetime(2026, 7, 4, 8, 0)
    assert pay1["is_completed"] and not pay1["is_canceled"]
    assert pay1["current_status_id"] == DONE and pay1["current_status_name"] == "Done"
    assert pay1["current_flow_state"] == "done"
    assert pay1["lead_time_hours"] == approx(73)
    assert pay1["flow_time_hours"] == pay1["cycle_time_hours"] == approx(48)
    assert (pay1["active_time_hours"], pay1["wait_time_hours"]) == (approx(48), approx(0))
    assert pay1["flow_efficiency"] == approx(1.0)
    assert (pay1["reopen_count"], pay1["backflow_count"], pay1["negative_interval_count"]) == (0, 0, 0)
    assert pay1["history_complete"] is True
    assert pay1["flow_item_type"] == "Feature" and pay1["issue_type_name"] == "Story"
    assert pay1["completed_date"] == date(2026, 7, 4)
    assert stage_hours(stages["PAY-1"]) == {
        "Discovery": approx(25),
        "Dev": approx(24),
        "Review": approx(24),
        "Deploy": None,
        "Feedback": None,
    }
    assert [
        stages["PAY-1"][s]["stage_order"] for s in ("Discovery", "Dev", "Review", "Deploy", "Feedback")
    ] == [1, 2, 3, 4, 5]


# ---- the edge cases ------------------------------------------------------------------------------


def test_reopened_item_finishes_at_its_final_completion(items, stages, visits):
    pay2 = items["PAY-2"]
    # Resolved → Closed does not move the end; the earlier Done was undone by the reopen
    assert pay2["flow_end_at"] == datetime(2026, 7, 4, 12, 0)
    assert pay2["reopen_count"] == 1
    assert pay2["current_status_name"] == "Closed"
    assert pay2["lead_time_hours"] == approx(84)
    assert pay2["flow_time_hours"] == pay2["cycle_time_hours"] == approx(74)
    assert pay2["active_time_hours"] == approx(48)
    assert pay2["wait_time_hours"] == approx(2)
    assert pay2["done_dwell_hours"] == approx(24)
    assert pay2["flow_efficiency"] == approx(48 / 50)
    assert pay2["backflow_count"] == 1
    assert stage_hours(stages["PAY-2"]) == {
        "Discovery": approx(10),
        "Dev": approx(50),
        "Review": None,
        "Deploy": None,
        "Feedback": approx(24),
    }
    dev = stages["PAY-2"]["Dev"]
    assert (dev["visit_count"], dev["backflow_count"]) == (2, 1)
    assert dev["first_entered_at"] == datetime(2026, 7, 1, 10, 0)
    assert dev["last_exited_at"] == datetime(2026, 7, 4, 12, 0)
    assert [(v["stage"], v["previous_stage"], v["is_backflow"]) for v in visits["PAY-2"]] == [
        ("Discovery", None, False),
        ("Dev", "Discovery", False),
        ("Feedback", "Dev", False),
        ("Dev", "Feedback", True),
    ]


def test_skipped_stage_is_null_not_zero(stages):
    rows = stages["PAY-3"]
    assert stage_hours(rows) == {
        "Discovery": approx(6),
        "Dev": approx(24),
        "Review": None,
        "Deploy": approx(12),
        "Feedback": None,
    }
    assert rows["Review"]["visit_count"] == 0 and rows["Review"]["in_flow_hours"] is None
    assert rows["Review"]["first_entered_at"] is None and rows["Review"]["last_exited_at"] is None


def test_rework_loop_adds_up_and_counts_backflow(items, stages, visits):
    assert stage_hours(stages["PAY-4"]) == {
        "Discovery": approx(2),
        "Dev": approx(16),
        "Review": approx(18),
        "Deploy": None,
        "Feedback": None,
    }
    assert stages["PAY-4"]["Dev"]["visit_count"] == 2 and stages["PAY-4"]["Dev"]["backflow_count"] == 1
    assert stages["PAY-4"]["Review"]["visit_count"] == 2 and stages["PAY-4"]["Review"]["backflow_count"] == 0
    assert [
        (v["visit_number"], v["stage"], v["is_backflow"], v["duration_hours"]) for v in visits["PAY-4"]
    ] == [
        (1, "Discovery", False, approx(2)),
        (2, "Dev", False, approx(10)),
        (3, "Review", False, approx(12)),
        (4, "Dev", True, approx(6)),
        (5, "Review", False, approx(6)),
    ]
    assert items["PAY-4"]["backflow_count"] == 1
    assert items["PAY-4"]["lead_time_hours"] == approx(36)
    assert items["PAY-4"]["flow_time_hours"] == approx(34)


def test_renamed_status_maps_by_id(items, intervals):
    rows = intervals["PAY-5"]
    assert [(r["status_id"], r["status_name_at_time"], r["flow_state"], r["stage"]) for r in rows] == [
        (BACKLOG, "Backlog", "new", "Discovery"),
        (IN_PROGRESS, "In Progress", "active", "Dev"),
        (IN_REVIEW, "Code Review", "active", "Review"),
        (DONE, "Finished", "done", "Feedback"),
    ]
    assert items["PAY-5"]["current_status_name"] == "Done"  # today's name


def test_status_mapping_versioned_by_utc_entry_date(items, intervals, stages):
    staging6 = [r for r in intervals["PAY-6"] if r["status_id"] == IN_STAGING]
    staging7 = [r for r in intervals["PAY-7"] if r["status_id"] == IN_STAGING]
    assert [(r["entered_at"], r["stage"], r["duration_hours"]) for r in staging6] == [
        (datetime(2026, 7, 31, 23, 30), "Review", approx(4))
    ]  # 1 August locally, 31 July in UTC
    assert [(r["entered_at"], r["stage"], r["duration_hours"]) for r in staging7] == [
        (datetime(2026, 8, 1, 0, 0), "Deploy", approx(4))
    ]
    assert stage_hours(stages["PAY-6"]) == {
        "Discovery": approx(2),
        "Dev": approx(1.5),
        "Review": approx(4),
        "Deploy": None,
        "Feedback": None,
    }
    assert stage_hours(stages["PAY-7"]) == {
        "Discovery": approx(2),
        "Dev": approx(2),
        "Review": None,
        "Deploy": approx(4),
        "Feedback": None,
    }


def test_moved_issue_keeps_its_id_and_history(items, intervals, stages):
    ops3 = items["OPS-3"]
    assert ops3["flow_item_id"] == "demo-jira:1008"
    assert ops3["project_key"] == "OPS"
    assert [r["status_id"] for r in intervals["OPS-3"]] == [BACKLOG, IN_PROGRESS, IN_TEST, DONE]
    assert all(r["issue_key"] == "OPS-3" for r in intervals["OPS-3"])
    assert ops3["lead_time_hours"] == approx(34)
    assert stage_hours(stages["OPS-3"]) == {
        "Discovery": approx(4),
        "Dev": approx(24),
        "Review": approx(6),
        "Deploy": None,
        "Feedback": None,
    }


def test_type_at_completion_counts(items):
    pay9 = items["PAY-9"]
    assert pay9["issue_type_name"] == "Bug"  # the type when it was completed, not today's Tech Debt
    assert pay9["flow_item_type"] == "Defect"
    assert pay9["type_changed"] is True
    assert items["PAY-1"]["type_changed"] is False
    assert items["PAY-27"]["flow_item_type"] == "Defect"


def test_label_rule_overrides_type_and_open_item_is_measured_to_as_of(items, intervals):
    pay10 = items["PAY-10"]
    assert pay10["flow_item_type"] == "Risk" and pay10["issue_type_name"] == "Story"
    assert not pay10["is_completed"] and pay10["flow_end_at"] is None
    assert pay10["flow_start_at"] == datetime(2026, 8, 2)
    assert pay10["cycle_start_at"] is None
    assert pay10["wait_time_hours"] == approx(30 * 24)  # 2 August → as_of
    assert pay10["active_time_hours"] == approx(0)
    assert pay10["flow_efficiency"] is None and pay10["lead_time_hours"] is None
    assert pay10["completed_date"] is None


def test_equal_timestamps_order_by_numeric_history_id(items, intervals, stages):
    rows = intervals["PAY-11"]
    assert [(r["status_id"], r["entered_at"], r["exited_at"], r["duration_hours"]) for r in rows] == [
        (BACKLOG, datetime(2026, 7, 17, 0), datetime(2026, 7, 17, 10), approx(10)),
        (IN_PROGRESS, datetime(2026, 7, 17, 10), datetime(2026, 7, 17, 10), approx(0)),  # zero-length
        (IN_REVIEW, datetime(2026, 7, 17, 10), datetime(2026, 7, 17, 16), approx(6)),
        (
            DONE,
            datetime(2026, 7, 17, 16),
            None,
            approx((AS_OF - datetime(2026, 7, 17, 16)).total_seconds() / 3600),
        ),
    ]
    pay11 = items["PAY-11"]
    assert pay11["history_complete"] is True  # a text order would have broken the chain
    assert pay11["cycle_start_at"] == datetime(2026, 7, 17, 10)
    assert pay11["active_time_hours"] == approx(6)
    # the zero-length In Progress is no visit: Dev counts as skipped
    assert stages["PAY-11"]["Dev"]["duration_hours"] is None and stages["PAY-11"]["Dev"]["visit_count"] == 0
    assert stages["PAY-11"]["Review"]["duration_hours"] == approx(6)


def test_out_of_order_histories(warehouse, items, intervals):
    assert [(r["status_id"], r["duration_hours"]) for r in intervals["PAY-12"]][:3] == [
        (BACKLOG, approx(5)),
        (IN_PROGRESS, approx(5)),
        (IN_REVIEW, approx(2)),
    ]
    assert items["PAY-12"]["lead_time_hours"] == approx(12)
    assert items["PAY-12"]["history_complete"] is True
    latest = query(
        warehouse,
        "select author_display_name from staging.stg_jira__changelog_items "
        "where source = 'demo-jira' and history_id = '3000'",
    )
    assert latest == [{"author_display_name": "Dana Renamed"}]  # re-fetched history: latest version, once


def test_time_zones_and_dst(items):
    pay13 = items["PAY-13"]
    assert pay13["created_at"] == datetime(2026, 3, 28, 11, 0)
    assert pay13["flow_end_at"] == datetime(2026, 3, 29, 10, 0)
    assert pay13["lead_time_hours"] == approx(23)  # wall clock says 24 h; a DST hour is not elapsed time
    assert pay13["flow_time_hours"] == approx(17)
    assert pay13["completed_date"] == date(2026, 3, 29)
    pay14 = items["PAY-14"]
    assert pay14["flow_end_at"] == datetime(2026, 8, 10, 23, 30)  # stored in UTC …
    assert pay14["completed_date"] == date(2026, 8, 11)  # … bucketed in Europe/Berlin
    assert pay14["lead_time_hours"] == approx(15.5)


def test_open_item_at_as_of(items, intervals, stages, visits):
    pay15 = items["PAY-15"]
    assert not pay15["is_completed"] and pay15["current_flow_state"] == "active"
    assert pay15["active_time_hours"] == approx(7 * 24)
    assert pay15["lead_time_hours"] is None and pay15["flow_time_hours"] is None
    last = intervals["PAY-15"][-1]
    assert last["is_open"] and last["exited_at"] is None and last["duration_hours"] == approx(7 * 24)
    assert stages["PAY-15"]["Dev"]["duration_hours"] == approx(7 * 24)
    assert stages["PAY-15"]["Dev"]["last_exited_at"] is None
    assert stages["PAY-15"]["Discovery"]["duration_hours"] == approx(5 * 24)
    assert visits["PAY-15"][-1]["is_open"] is True


def test_on_hold_is_ignored_and_does_not_split_the_visit(items, stages, visits):
    pay16 = items["PAY-16"]
    assert pay16["ignored_hours"] == approx(24)
    assert pay16["active_time_hours"] == approx(6)
    assert pay16["flow_time_hours"] == approx(30)
    assert pay16["flow_efficiency"] == approx(1.0)
    assert [(v["stage"], v["entered_at"], v["exited_at"], v["duration_hours"]) for v in visits["PAY-16"]] == [
        ("Discovery", datetime(2026, 7, 21, 0), datetime(2026, 7, 21, 1), approx(1)),
        ("Dev", datetime(2026, 7, 21, 1), datetime(2026, 7, 22, 7), approx(6)),
    ]
    assert stages["PAY-16"]["Dev"]["visit_count"] == 1


def test_truncated_history_is_flagged(items):
    assert items["PAY-19"]["history_complete"] is False  # first status Ready for Dev is not a new one
    assert items["PAY-19"]["flow_start_at"] == datetime(2026, 7, 2)  # it was waiting from creation
    assert items["PAY-23"]["history_complete"] is False  # In Progress → (missing) → In Review
    assert items["LEG-1"]["history_complete"] is False  # created before legacy-jira's history horizon
    assert items["LEG-2"]["history_complete"] is True
    assert items["LEG-2"]["lead_time_hours"] == approx(3)


def test_clock_skew_gives_a_counted_null_interval(items, intervals, stages):
    first = intervals["PAY-24"][0]
    assert first["is_negative_duration"] is True and first["duration_hours"] is None
    assert first["entered_at"] == datetime(2026, 7, 25, 10, 0)
    assert first["exited_at"] == datetime(2026, 7, 25, 9, 59, 58)
    pay24 = items["PAY-24"]
    assert pay24["negative_interval_count"] == 1
    assert pay24["lead_time_hours"] == approx(10)
    assert pay24["flow_time_hours"] == approx(10 + 2 / 3600)
    assert stages["PAY-24"]["Discovery"]["duration_hours"] is None
    assert stages["PAY-24"]["Dev"]["duration_hours"] == approx(10)  # clipped to the lead span


def test_canceled_item_is_counted_apart(items):
    pay25 = items["PAY-25"]
    assert pay25["is_canceled"] and not pay25["is_completed"]
    assert pay25["canceled_at"] == datetime(2026, 7, 26, 8)
    assert pay25["flow_end_at"] is None and pay25["lead_time_hours"] is None
    assert pay25["active_time_hours"] == approx(6)
    assert pay25["current_flow_state"] == "canceled"


def test_closed_from_backlog_has_lead_time_only(items, stages):
    pay26 = items["PAY-26"]
    assert pay26["is_completed"] and pay26["flow_start_at"] is None
    assert pay26["lead_time_hours"] == approx(5)
    assert pay26["flow_time_hours"] is None and pay26["cycle_time_hours"] is None
    assert pay26["flow_efficiency"] is None
    assert stage_hours(stages["PAY-26"]) == {
        "Discovery": approx(5),
        "Dev": None,
        "Review": None,
        "Deploy": None,
        "Feedback": None,
    }


# ---- the lead time snapshot ----------------------------------------------------------------------


def test_lead_time_by_stage(warehouse):
    rows = query(warehouse, "select * from marts.lead_time_by_stage order by stage_order")
    # PAY-1, PAY-2 and LEG-2 completed in [1 July, 6 July); PAY-19 too, but its history is
    # incomplete; LEG-1 completed before the window
    totals = {
        "Discovery": 25 + 10 + 1.0,
        "Dev": 24 + 50 + 2.0,
        "Review": 24.0,
        "Deploy": 0.0,
        "Feedback": 24.0,
    }
    visiting = {"Discovery": 3, "Dev": 3, "Review": 1, "Deploy": 0, "Feedback": 1}
    assert [r["stage"] for r in rows] == list(totals)
    for row in rows:
        assert row["window_start_at"] == datetime(2026, 7, 1)
        assert row["window_end_at"] == datetime(2026, 7, 6)
        assert row["total_hours"] == approx(totals[row["stage"]])
        assert row["pct_of_lead_time"] == approx(100 * totals[row["stage"]] / 160)
        assert row["items_in_window"] == 3
        assert row["items_visiting"] == visiting[row["stage"]]
        assert row["mean_hours_per_item"] == approx(totals[row["stage"]] / 3)
        assert row["is_widest"] is (row["stage"] == "Dev")


def test_every_completed_item_adds_up(items, stages):
    """Σ in-flow stage hours + ignored = flow time; Σ stage hours = lead time (no stage-less time
    before the flow started in these fixtures)."""
    for key, item in items.items():
        if not item["is_completed"] or item["negative_interval_count"]:
            continue
        stage_sum = sum(r["duration_hours"] or 0 for r in stages[key].values())
        in_flow_sum = sum(r["in_flow_hours"] or 0 for r in stages[key].values())
        assert stage_sum + (item["ignored_hours"] or 0) == approx(item["lead_time_hours"]), key
        if item["flow_time_hours"] is not None:
            assert in_flow_sum + item["ignored_hours"] == approx(item["flow_time_hours"]), key


def test_unmapped_message_names_the_shipped_seed_by_default(warehouse):
    """Without STREAMGAUGE_MAPPINGS_DIR the stop message points at the project's seed file."""
    compiled = (
        warehouse.parent
        / "target"
        / "compiled"
        / "streamgauge"
        / "models"
        / "intermediate"
        / "flow"
        / "int_status_intervals_mapped.sql"
    ).read_text()
    assert "is not in status_flow_mapping (first seen on " in compiled
    assert "— add it to seeds/mappings/status_flow_mapping.csv" in compiled


def test_mart_columns(warehouse):
    """The published column lists (a contract for BI tools and the Dagster asset checks)."""

    def columns(table):
        return [
            r["column_name"]
            for r in query(
                warehouse,
                "select column_name from information_schema.columns where table_schema = 'marts' "
                "and table_name = ? order by ordinal_position",
                [table],
            )
        ]

    assert columns("flow_items") == [
        "flow_item_id",
        "source",
        "issue_id",
        "issue_key",
        "project_key",
        "summary",
        "issue_type_name",
        "flow_item_type",
        "type_changed",
        "hierarchy_level",
        "parent_issue_key",
        "epic_issue_key",
        "initiative_issue_key",
        "created_at",
        "flow_start_at",
        "cycle_start_at",
        "flow_end_at",
        "canceled_at",
        "current_status_id",
        "current_status_name",
        "current_flow_state",
        "is_completed",
        "is_canceled",
        "completed_date",
        "lead_time_hours",
        "cycle_time_hours",
        "flow_time_hours",
        "active_time_hours",
        "wait_time_hours",
        "done_dwell_hours",
        "ignored_hours",
        "flow_efficiency",
        "reopen_count",
        "backflow_count",
        "negative_interval_count",
        "history_complete",
        "first_deployment_id",
        "first_deployed_at",
        "idea_to_production_hours",
        "as_of",
    ]
    assert columns("status_intervals") == [
        "flow_item_id",
        "issue_key",
        "interval_number",
        "status_id",
        "status_name_at_time",
        "flow_state",
        "stage",
        "entered_at",
        "exited_at",
        "is_open",
        "duration_hours",
        "is_negative_duration",
    ]
    assert columns("stage_intervals") == [
        "flow_item_id",
        "issue_key",
        "stage",
        "stage_order",
        "visit_number",
        "entered_at",
        "exited_at",
        "is_open",
        "duration_hours",
        "in_flow_hours",
        "previous_stage",
        "is_backflow",
    ]
    assert columns("stage_durations") == [
        "flow_item_id",
        "issue_key",
        "flow_item_type",
        "is_completed",
        "flow_end_at",
        "stage",
        "stage_order",
        "duration_hours",
        "in_flow_hours",
        "visit_count",
        "first_entered_at",
        "last_exited_at",
        "backflow_count",
    ]
    assert columns("lead_time_by_stage") == [
        "window_start_at",
        "window_end_at",
        "stage",
        "stage_order",
        "total_hours",
        "pct_of_lead_time",
        "items_in_window",
        "items_visiting",
        "mean_hours_per_item",
        "is_widest",
    ]
    types = {
        r["column_name"]: r["data_type"]
        for r in query(
            warehouse,
            "select column_name, data_type from information_schema.columns "
            "where table_schema = 'marts' and table_name = 'flow_items'",
        )
    }
    assert all(types[c] == "DOUBLE" for c in types if c.endswith("_hours") or c == "flow_efficiency")
    assert all(types[c] == "TIMESTAMP" for c in types if c.endswith("_at") or c == "as_of")
    assert types["completed_date"] == "DATE"
