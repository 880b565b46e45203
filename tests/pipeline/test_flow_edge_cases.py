"""SPEC §6 tracker edge cases, one test each, on the marts published by the real pipeline.

The simulated organisation plants every case; each test finds its items through the ground truth's
edge-case tags, then checks what the marts must show for it.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.support.pipeline import utc

MAPPING_CHANGE = datetime(2026, 8, 1, tzinfo=UTC)
IN_STAGING = "10112"


def flow_items_with(flow_pipeline, tag):
    items = [i for i in flow_pipeline.truth.with_edge_case(tag) if i.is_flow_item and not i.is_deleted]
    assert items, f"the simulated organisation has no flow item tagged {tag!r}"
    return items


def one(con, sql, params=()):
    return con.execute(sql, params).fetchone()


@pytest.fixture(scope="module")
def con(flow_pipeline):
    with flow_pipeline.run.published() as connection:
        yield connection


def item_row(con, issue_id):
    cursor = con.execute("SELECT * FROM marts.flow_items WHERE issue_id = ?", [issue_id])
    names = [d[0] for d in cursor.description]
    row = cursor.fetchone()
    assert row is not None, f"flow item {issue_id} is not published"
    return dict(zip(names, row, strict=True))


def test_reopened_items_finish_at_their_final_completion(flow_pipeline, con):
    for item in flow_items_with(flow_pipeline, "reopened"):
        row = item_row(con, item.issue_id)
        assert row["reopen_count"] == item.reopen_count > 0
        if item.is_completed:
            last_done_entry = max(
                iv.entered_at
                for iv in item.intervals
                if iv.flow_state == "done" and iv.entered_at <= item.flow_end_at
            )
            assert utc(row["flow_end_at"]) == item.flow_end_at <= last_done_entry
            assert row["done_dwell_hours"] > 0  # time in done before the reopen counts in flow time


def test_skipped_stages_are_null_not_zero(flow_pipeline, con):
    checked = 0
    for item in flow_items_with(flow_pipeline, "skipped_status"):
        for stage, figures in item.stages.items():
            if figures.visit_count == 0:
                duration, visits = one(
                    con,
                    """SELECT duration_hours, visit_count FROM marts.stage_durations
                                               WHERE flow_item_id = ? AND stage = ?""",
                    [f"demo-jira:{item.issue_id}", stage],
                ) or (None, 0)
                assert duration is None and visits == 0, (item.issue_key, stage)
                checked += 1
    assert checked > 0


def test_rework_loops_add_up_and_count_as_backflow(flow_pipeline, con):
    for item in flow_items_with(flow_pipeline, "rework"):
        visits = con.execute(
            """SELECT stage, count(*), sum(duration_hours), bool_or(is_backflow)
                                FROM marts.stage_intervals WHERE flow_item_id = ? GROUP BY stage""",
            [f"demo-jira:{item.issue_id}"],
        ).fetchall()
        assert any(count > 1 for _, count, _, _ in visits), item.issue_key
        assert any(backflow for *_, backflow in visits)
        for stage, count, hours, _ in visits:
            assert count == item.stages[stage].visit_count
            assert hours * 3600 == pytest.approx(item.stages[stage].seconds, abs=1e-3)


def test_renamed_status_maps_by_id(flow_pipeline, con):
    items = flow_items_with(flow_pipeline, "renamed_status")
    names = {
        row[0]
        for row in con.execute(
            "SELECT DISTINCT status_name_at_time FROM marts.status_intervals WHERE status_id = '10106'"
        ).fetchall()
    }
    assert names == {"QA", "In Test"}
    stages = con.execute(
        "SELECT DISTINCT flow_state, stage FROM marts.status_intervals WHERE status_id = '10106'"
    ).fetchall()
    assert stages == [("active", "Review")]
    assert all(item_row(con, i.issue_id) for i in items)


def test_mapping_changed_over_time_applies_by_entry_date(flow_pipeline, con):
    flow_items_with(flow_pipeline, "mapping_changed")
    rows = con.execute(
        """SELECT entered_at < ? AS before_change, stage FROM marts.status_intervals
                          WHERE status_id = ? GROUP BY ALL ORDER BY 1""",
        [MAPPING_CHANGE.replace(tzinfo=None), IN_STAGING],
    ).fetchall()
    assert rows == [(False, "Deploy"), (True, "Review")]


def test_moved_issue_keeps_its_id_and_history_under_its_new_key(flow_pipeline, con):
    for item in flow_items_with(flow_pipeline, "moved_project"):
        row = item_row(con, item.issue_id)
        assert (row["issue_key"], row["project_key"]) == (item.issue_key, item.project_key)
        assert one(con, "SELECT count(*) FROM marts.flow_items WHERE issue_id = ?", [item.issue_id])[0] == 1
        intervals = one(
            con, "SELECT count(*) FROM marts.status_intervals WHERE flow_item_id = ?", [row["flow_item_id"]]
        )[0]
        assert intervals == len(item.intervals)  # history from before the move is kept


def test_type_changed_counts_by_type_at_completion(flow_pipeline, con):
    for item in flow_items_with(flow_pipeline, "type_changed"):
        row = item_row(con, item.issue_id)
        assert row["type_changed"] is True
        assert (row["issue_type_name"], row["flow_item_type"]) == (item.issue_type_name, item.flow_item_type)


def test_parents_and_subtasks_are_never_flow_items(flow_pipeline, con):
    for tag in ("subtask", "epic", "initiative"):
        ids = [i.issue_id for i in flow_pipeline.truth.with_edge_case(tag)]
        assert ids, tag
        published = one(con, "SELECT count(*) FROM marts.flow_items WHERE list_contains(?, issue_id)", [ids])[
            0
        ]
        assert published == 0, tag
    epics = {i.issue_key for i in flow_pipeline.truth.with_edge_case("epic")}
    linked = {r[0] for r in con.execute("SELECT DISTINCT epic_issue_key FROM marts.flow_items").fetchall()}
    assert linked - {None} <= epics and linked & epics


def test_bulk_bot_transitions_and_equal_timestamps_are_ordered_deterministically(flow_pipeline, con):
    for tag in ("bulk_bot", "equal_timestamps", "zero_length"):
        for item in flow_items_with(flow_pipeline, tag):
            statuses = [
                r[0]
                for r in con.execute(
                    "SELECT status_id FROM marts.status_intervals WHERE flow_item_id = ? "
                    "ORDER BY interval_number",
                    [f"demo-jira:{item.issue_id}"],
                ).fetchall()
            ]
            assert statuses == [iv.status_id for iv in item.intervals], (tag, item.issue_key)
    zero = flow_items_with(flow_pipeline, "zero_length")[0]
    assert (
        one(
            con,
            """SELECT count(*) FROM marts.status_intervals WHERE flow_item_id = ?
                       AND duration_hours = 0""",
            [f"demo-jira:{zero.issue_id}"],
        )[0]
        > 0
    )


def test_out_of_order_histories_are_sorted(flow_pipeline, con):
    for item in flow_items_with(flow_pipeline, "out_of_order"):
        entered = [
            r[0]
            for r in con.execute(
                "SELECT entered_at FROM marts.status_intervals WHERE flow_item_id = ? "
                "ORDER BY interval_number",
                [f"demo-jira:{item.issue_id}"],
            ).fetchall()
        ]
        assert entered == sorted(entered)
        assert [utc(e) for e in entered] == [iv.entered_at for iv in item.intervals]


def test_clock_skew_gives_null_durations_that_are_counted(flow_pipeline, con):
    for item in flow_items_with(flow_pipeline, "clock_skew"):
        row = item_row(con, item.issue_id)
        assert row["negative_interval_count"] == item.negative_interval_count > 0
        negatives = con.execute(
            """SELECT duration_hours FROM marts.status_intervals
                                   WHERE flow_item_id = ? AND is_negative_duration""",
            [row["flow_item_id"]],
        ).fetchall()
        assert negatives and all(hours is None for (hours,) in negatives)


def test_dst_crossing_durations_are_elapsed_time_and_stored_in_utc(flow_pipeline, con):
    for item in flow_items_with(flow_pipeline, "dst_crossing"):
        for row, true in zip(
            con.execute(
                """SELECT entered_at, exited_at, duration_hours FROM marts.status_intervals
                                            WHERE flow_item_id = ? ORDER BY interval_number""",
                [f"demo-jira:{item.issue_id}"],
            ).fetchall(),
            item.intervals,
            strict=True,
        ):
            assert utc(row[0]) == true.entered_at
            if row[1] is not None and true.duration_seconds is not None:
                assert row[2] * 3600 == pytest.approx(
                    (true.exited_at - true.entered_at).total_seconds(), abs=1e-3
                )


def test_completed_date_is_the_local_date_in_the_reporting_zone(flow_pipeline, con):
    zone = flow_pipeline.org.config.zone
    completed = con.execute(
        "SELECT flow_end_at, completed_date FROM marts.flow_items WHERE is_completed"
    ).fetchall()
    assert completed
    for end, local_date in completed:
        assert local_date == utc(end).astimezone(zone).date()
    assert any(utc(end).date() != local for end, local in completed)  # late-evening UTC completions move


def test_items_open_at_the_window_end_run_to_as_of(flow_pipeline, con):
    as_of = flow_pipeline.truth.as_of
    for item in flow_items_with(flow_pipeline, "open_at_end"):
        row = item_row(con, item.issue_id)
        assert row["flow_end_at"] is None and row["flow_time_hours"] is None and not row["is_completed"]
        last = one(
            con,
            """SELECT is_open, exited_at, duration_hours FROM marts.status_intervals
                           WHERE flow_item_id = ? ORDER BY interval_number DESC LIMIT 1""",
            [row["flow_item_id"]],
        )
        assert last[0] is True and last[1] is None
        assert last[2] * 3600 == pytest.approx(
            (as_of - item.intervals[-1].entered_at).total_seconds(), abs=1e-3
        )


def test_deleted_issues_are_tombstoned_and_left_out(flow_pipeline, con):
    assert (
        one(
            con, "SELECT count(*) FROM marts.flow_items WHERE issue_id = ?", [flow_pipeline.deleted_issue_id]
        )[0]
        == 0
    )
    with __import__("duckdb").connect(
        str(flow_pipeline.run.settings.warehouse.working_path), read_only=True
    ) as work:
        assert (
            one(
                work,
                "SELECT count(*) FROM raw.jira_tombstones WHERE record_id = ?",
                [flow_pipeline.deleted_issue_id],
            )[0]
            == 1
        )


def test_truncated_history_is_flagged_and_kept_out_of_the_snapshot(flow_pipeline, con):
    for item in flow_items_with(flow_pipeline, "truncated_history"):
        assert item_row(con, item.issue_id)["history_complete"] is False
    complete_done = one(
        con,
        """SELECT count(*) FROM marts.flow_items WHERE history_complete AND is_completed
                                AND flow_end_at >= (SELECT min(window_start_at) FROM marts.lead_time_by_stage)
                                AND flow_end_at < (SELECT min(window_end_at)
                                                   FROM marts.lead_time_by_stage)""",
    )[0]
    assert one(con, "SELECT max(items_in_window) FROM marts.lead_time_by_stage")[0] == complete_done


def test_canceled_and_closed_from_backlog_items_are_counted_apart(flow_pipeline, con):
    for item in flow_items_with(flow_pipeline, "canceled"):
        row = item_row(con, item.issue_id)
        assert row["is_canceled"] and not row["is_completed"] and utc(row["canceled_at"]) == item.canceled_at
    for item in flow_items_with(flow_pipeline, "closed_from_backlog"):
        row = item_row(con, item.issue_id)
        assert row["is_completed"] and row["flow_start_at"] is None and row["flow_time_hours"] is None
        assert row["lead_time_hours"] is not None


def test_on_hold_time_is_ignored_not_lost(flow_pipeline, con):
    for item in flow_items_with(flow_pipeline, "on_hold"):
        row = item_row(con, item.issue_id)
        assert row["ignored_hours"] * 3600 == pytest.approx(item.ignored_seconds, abs=1e-3)
        if row["is_completed"] and not row["negative_interval_count"]:
            in_flow = one(
                con,
                "SELECT sum(in_flow_hours) FROM marts.stage_durations WHERE flow_item_id = ?",
                [row["flow_item_id"]],
            )[0]
            assert in_flow + row["ignored_hours"] == pytest.approx(row["flow_time_hours"], abs=1e-6)


def test_resolved_then_closed_does_not_move_completion(flow_pipeline, con):
    for item in flow_items_with(flow_pipeline, "resolved_then_closed"):
        row = item_row(con, item.issue_id)
        resolved_entry = next(iv.entered_at for iv in reversed(item.intervals) if iv.status_id == "5")
        assert utc(row["flow_end_at"]) == item.flow_end_at <= resolved_entry
        assert row["reopen_count"] == item.reopen_count
