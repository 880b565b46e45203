"""The published flow marts equal the simulated organisation's ground truth, item by item."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.support.pipeline import utc

SECOND = 1e-3  # timestamps carry milliseconds; figures must agree to well under a second


def hours_to_seconds(hours):
    return None if hours is None else hours * 3600.0


def assert_seconds(actual_hours, expected_seconds, what):
    actual = hours_to_seconds(actual_hours)
    if expected_seconds is None:
        assert actual is None, f"{what}: expected NULL, got {actual}"
    else:
        assert actual is not None and abs(actual - expected_seconds) < SECOND, (
            f"{what}: {actual} s != {expected_seconds} s"
        )


def rows(con, sql, params=()):
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


@pytest.fixture(scope="module")
def marts(flow_pipeline):
    with flow_pipeline.run.published() as con:
        yield {
            "flow_items": {r["issue_id"]: r for r in rows(con, "SELECT * FROM marts.flow_items")},
            "status_intervals": rows(
                con, "SELECT * FROM marts.status_intervals ORDER BY flow_item_id, interval_number"
            ),
            "stage_durations": rows(con, "SELECT * FROM marts.stage_durations"),
            "lead_time_by_stage": rows(con, "SELECT * FROM marts.lead_time_by_stage ORDER BY stage_order"),
        }


def test_every_flow_item_is_published_once_and_nothing_else(flow_pipeline, marts):
    expected = {item.issue_id for item in flow_pipeline.truth.flow_items()}
    assert set(marts["flow_items"]) == expected
    assert flow_pipeline.first_run_flow_items < len(expected)  # the source grew between the runs


def test_flow_item_figures_equal_the_ground_truth(flow_pipeline, marts):
    for item in flow_pipeline.truth.flow_items():
        row = marts["flow_items"][item.issue_id]
        where = f"{item.issue_key} ({sorted(item.edge_cases)})"
        assert row["flow_item_id"] == f"demo-jira:{item.issue_id}"
        assert (row["issue_key"], row["project_key"], row["issue_type_name"], row["flow_item_type"]) == (
            item.issue_key,
            item.project_key,
            item.issue_type_name,
            item.flow_item_type,
        ), where
        assert (row["parent_issue_key"], row["epic_issue_key"], row["initiative_issue_key"]) == (
            item.parent_issue_key,
            item.epic_issue_key,
            item.initiative_issue_key,
        ), where
        for column in ("created_at", "flow_start_at", "cycle_start_at", "flow_end_at", "canceled_at"):
            assert utc(row[column]) == getattr(item, column), f"{where}: {column}"
        assert (
            row["is_completed"],
            row["is_canceled"],
            row["reopen_count"],
            row["backflow_count"],
            row["negative_interval_count"],
            row["history_complete"],
        ) == (
            item.is_completed,
            item.is_canceled,
            item.reopen_count,
            item.backflow_count,
            item.negative_interval_count,
            item.history_complete,
        ), where
        for column, truth_field in (
            ("lead_time_hours", "lead_time_seconds"),
            ("cycle_time_hours", "cycle_time_seconds"),
            ("flow_time_hours", "flow_time_seconds"),
            ("active_time_hours", "active_seconds"),
            ("wait_time_hours", "wait_seconds"),
            ("done_dwell_hours", "done_dwell_seconds"),
            ("ignored_hours", "ignored_seconds"),
        ):
            assert_seconds(row[column], getattr(item, truth_field), f"{where}: {column}")
        if item.flow_efficiency is None:
            assert row["flow_efficiency"] is None, where
        else:
            assert row["flow_efficiency"] == pytest.approx(item.flow_efficiency, abs=1e-9), where


def test_every_status_interval_equals_the_ground_truth(flow_pipeline, marts):
    by_item: dict[str, list[dict]] = {}
    for row in marts["status_intervals"]:
        by_item.setdefault(row["flow_item_id"].split(":", 1)[1], []).append(row)
    for item in flow_pipeline.truth.flow_items():
        actual = by_item[item.issue_id]
        assert len(actual) == len(item.intervals), item.issue_key
        for number, (row, true) in enumerate(zip(actual, item.intervals, strict=True), start=1):
            where = f"{item.issue_key} interval {number}"
            assert row["interval_number"] == number
            assert (row["status_id"], row["status_name_at_time"], row["flow_state"], row["stage"]) == (
                true.status_id,
                true.status_name,
                true.flow_state,
                true.stage,
            ), where
            assert utc(row["entered_at"]) == true.entered_at and utc(row["exited_at"]) == true.exited_at, (
                where
            )
            assert_seconds(row["duration_hours"], true.duration_seconds, where)


def test_every_stage_duration_equals_the_ground_truth(flow_pipeline, marts):
    actual = {(r["flow_item_id"].split(":", 1)[1], r["stage"]): r for r in marts["stage_durations"]}
    compared = 0
    for item in flow_pipeline.truth.flow_items():
        for stage, true in item.stages.items():
            row = actual.get((item.issue_id, stage))
            if row is None:
                assert true.seconds is None and true.visit_count == 0, f"{item.issue_key} {stage} missing"
                continue
            where = f"{item.issue_key} {stage}"
            assert_seconds(row["duration_hours"], true.seconds, f"{where} duration")
            assert_seconds(row["in_flow_hours"], true.in_flow_seconds, f"{where} in flow")
            assert (row["visit_count"], row["backflow_count"], row["stage_order"]) == (
                true.visit_count,
                true.backflow_count,
                true.stage_order,
            ), where
            assert utc(row["first_entered_at"]) == true.first_entered_at, where
            assert utc(row["last_exited_at"]) == true.last_exited_at, where
            compared += 1
    assert compared > 500


def test_lead_time_by_stage_equals_the_ground_truth(flow_pipeline, marts):
    as_of = flow_pipeline.truth.as_of
    expected = flow_pipeline.truth.lead_time_by_stage(as_of - timedelta(days=90), as_of)
    actual = marts["lead_time_by_stage"]
    assert [r["stage"] for r in actual] == [stage for stage, *_ in expected]
    for row, (stage, order, total_seconds, visiting) in zip(actual, expected, strict=True):
        assert row["stage_order"] == order
        assert_seconds(row["total_hours"], total_seconds, f"{stage} total")
        assert row["items_visiting"] == visiting
    widest = max(expected, key=lambda e: e[2])[0]
    assert [r["stage"] for r in actual if r["is_widest"]] == [widest]
    assert sum(r["pct_of_lead_time"] for r in actual) == pytest.approx(100.0)
