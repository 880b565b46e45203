"""The definitions (DEVELOPERS.md, "Definitions we chose") on tiny hand-made timelines."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from extractors.simulation.jira import catalog as c
from extractors.simulation.jira.mapping import StatusMapping
from extractors.simulation.jira.truth import FlowFigures, StatusTimeline, flow_figures
from extractors.simulation.timeutil import HOUR_MS, to_ms

T0 = to_ms(datetime(2026, 6, 1, tzinfo=UTC))
MAPPING = StatusMapping()


def at(hours: float) -> int:
    return T0 + int(hours * HOUR_MS)


def path(first: int, *moves: tuple[float, int], created: float = 0) -> StatusTimeline:
    """A timeline starting in ``first`` at ``created`` hours, then ``(hours, to_status)`` moves."""
    changes, previous = [], first
    for hours, status in moves:
        changes.append((at(hours), previous, status))
        previous = status
    return StatusTimeline(at(created), tuple(changes), previous)


def figures(timeline: StatusTimeline, as_of_hours: float = 100, horizon: int | None = None) -> FlowFigures:
    return flow_figures(timeline, MAPPING, at(as_of_hours), horizon)


def hours(ms: int | None) -> float | None:
    return None if ms is None else ms / HOUR_MS


def stage_hours(fig: FlowFigures) -> dict[str, float | None]:
    return {stage: hours(f.ms) for stage, f in fig.stages.items()}


def test_straight_through_flow():
    fig = figures(
        path(
            c.BACKLOG,
            (10, c.ANALYSIS),
            (20, c.READY_FOR_DEV),
            (30, c.IN_PROGRESS),
            (50, c.READY_FOR_REVIEW),
            (52, c.IN_REVIEW),
            (60, c.DONE),
        )
    )
    assert [iv.status_id for iv in fig.intervals] == [
        c.BACKLOG,
        c.ANALYSIS,
        c.READY_FOR_DEV,
        c.IN_PROGRESS,
        c.READY_FOR_REVIEW,
        c.IN_REVIEW,
        c.DONE,
    ]
    assert fig.intervals[0].entered_ms == at(0) and fig.intervals[-1].exited_ms is None
    assert hours(fig.intervals[-1].duration_ms) == 40  # open: measured to as_of
    assert (fig.flow_start_ms, fig.cycle_start_ms, fig.flow_end_ms) == (at(10), at(10), at(60))
    assert (hours(fig.lead_ms), hours(fig.cycle_ms), hours(fig.flow_ms)) == (60, 50, 50)
    assert (hours(fig.active_ms), hours(fig.wait_ms), hours(fig.done_dwell_ms), hours(fig.ignored_ms)) == (
        38,
        12,
        0,
        0,
    )
    assert fig.flow_efficiency == pytest.approx(38 / 50)
    assert stage_hours(fig) == {"Discovery": 20, "Dev": 30, "Review": 10, "Deploy": None, "Feedback": None}
    assert hours(fig.stages["Discovery"].in_flow_ms) == 10
    assert fig.stages["Feedback"].visit_count == 0  # the final done run lies outside the lead span
    assert fig.history_complete and fig.reopen_count == 0 and fig.backflow_count == 0


def test_reopened_item_finishes_at_its_final_done_run():
    fig = figures(path(c.BACKLOG, (10, c.IN_PROGRESS), (20, c.DONE), (30, c.IN_PROGRESS), (35, c.DONE)))
    assert fig.reopen_count == 1 and fig.flow_end_ms == at(35)
    assert hours(fig.done_dwell_ms) == 10 and hours(fig.active_ms) == 15 and hours(fig.flow_ms) == 25
    assert fig.backflow_count == 1
    assert (fig.stages["Dev"].visit_count, fig.stages["Dev"].backflow_count) == (2, 1)
    assert fig.stages["Feedback"].visit_count == 1 and hours(fig.stages["Feedback"].ms) == 10  # done between


def test_resolved_then_closed_does_not_move_completion():
    fig = figures(path(c.OPEN, (5, c.IN_PROGRESS), (15, c.RESOLVED), (40, c.CLOSED)))
    assert fig.flow_end_ms == at(15) and fig.reopen_count == 0 and fig.backflow_count == 0
    assert fig.stages["Feedback"].visit_count == 0 and fig.stages["Feedback"].ms is None


def test_zero_length_bounce_is_no_visit_and_no_backflow():
    timeline = path(
        c.BACKLOG,
        (10, c.IN_PROGRESS),
        (20, c.IN_REVIEW),
        (25, c.IN_PROGRESS),
        (25, c.IN_REVIEW),
        (30, c.DONE),
    )
    fig = figures(timeline)
    bounce = fig.intervals[3]
    assert (bounce.status_id, bounce.duration_ms) == (c.IN_PROGRESS, 0)
    assert fig.backflow_count == 0
    assert fig.stages["Review"].visit_count == 1 and hours(fig.stages["Review"].ms) == 10
    assert fig.stages["Dev"].visit_count == 1 and hours(fig.stages["Dev"].ms) == 10


def test_on_hold_inside_a_visit_does_not_break_it():
    fig = figures(path(c.BACKLOG, (10, c.IN_PROGRESS), (15, c.ON_HOLD), (40, c.IN_PROGRESS), (50, c.DONE)))
    assert fig.stages["Dev"].visit_count == 1 and hours(fig.stages["Dev"].ms) == 15
    assert hours(fig.ignored_ms) == 25 and hours(fig.active_ms) == 15
    in_flow = sum(f.in_flow_ms for f in fig.stages.values() if f.in_flow_ms is not None)
    assert in_flow + fig.ignored_ms == fig.flow_ms
    assert sum(f.ms for f in fig.stages.values() if f.ms is not None) + fig.ignored_ms == fig.lead_ms


def test_change_stamped_before_creation_is_a_negative_interval():
    skew = 90_000 / HOUR_MS
    fig = figures(path(c.BACKLOG, (10 - skew, c.ANALYSIS), (12, c.IN_PROGRESS), (20, c.DONE), created=10))
    first = fig.intervals[0]
    assert (first.status_id, first.entered_ms, first.duration_ms) == (c.BACKLOG, at(10), None)
    assert fig.negative_interval_count == 1 and fig.history_complete
    assert fig.flow_start_ms == at(10 - skew) and hours(fig.lead_ms) == 10
    assert (
        hours(fig.stages["Discovery"].ms) == 2
    )  # Analysis clipped to the lead span; the negative one left out
    assert fig.stages["Discovery"].visit_count == 1 and fig.stages["Discovery"].first_entered_ms == at(
        10 - skew
    )
    assert fig.active_ms == at(20) - at(10 - skew)


def test_skipped_stage_has_no_time_and_no_visits():
    fig = figures(path(c.BACKLOG, (5, c.IN_PROGRESS), (10, c.DONE)))
    for stage in ("Review", "Deploy"):
        s = fig.stages[stage]
        assert (s.ms, s.in_flow_ms, s.visit_count, s.first_entered_ms, s.last_exited_ms) == (
            None,
            None,
            0,
            None,
            None,
        )


def test_canceled_item_is_counted_apart():
    fig = figures(path(c.BACKLOG, (5, c.ANALYSIS), (10, c.READY_FOR_DEV), (20, c.WONT_DO)))
    assert fig.is_canceled and not fig.is_completed and fig.canceled_ms == at(20)
    assert fig.lead_ms is None and fig.flow_ms is None and fig.flow_efficiency is None
    assert (hours(fig.active_ms), hours(fig.wait_ms)) == (5, 10)  # the spans end at canceled_at
    assert hours(fig.stages["Dev"].ms) == 10 and fig.intervals[-1].stage is None


def test_done_to_canceled_is_no_reopen():
    fig = figures(path(c.BACKLOG, (5, c.IN_PROGRESS), (10, c.DONE), (20, c.WONT_DO)))
    assert fig.reopen_count == 0 and fig.is_canceled and not fig.is_completed


def test_closed_from_backlog_is_completed_without_flow_or_cycle_time():
    fig = figures(path(c.BACKLOG, (48, c.DONE)))
    assert fig.is_completed and hours(fig.lead_ms) == 48
    assert fig.flow_start_ms is None and fig.cycle_ms is None and fig.flow_ms is None
    assert fig.active_ms is None and fig.flow_efficiency is None
    assert hours(fig.stages["Discovery"].ms) == 48 and fig.stages["Discovery"].in_flow_ms == 0


def test_open_item_is_measured_to_as_of():
    fig = figures(path(c.BACKLOG, (10, c.IN_PROGRESS)), as_of_hours=30)
    assert not fig.is_completed and fig.lead_ms is None
    assert hours(fig.intervals[-1].duration_ms) == 20 and hours(fig.active_ms) == 20
    assert hours(fig.stages["Dev"].ms) == 20 and fig.stages["Dev"].last_exited_ms is None


def test_waiting_without_active_starts_flow_but_not_cycle():
    fig = figures(path(c.BACKLOG, (10, c.READY_FOR_DEV), (20, c.DONE)))
    assert fig.flow_start_ms == at(10) and fig.cycle_start_ms is None and fig.cycle_ms is None
    assert hours(fig.flow_ms) == 10 and fig.active_ms == 0 and fig.flow_efficiency == 0.0


def test_mapping_applies_by_the_date_an_interval_was_entered():
    august = to_ms(datetime(2026, 8, 1, tzinfo=UTC))
    assert MAPPING.at(c.IN_STAGING, august - 1) == ("waiting", "Review")
    assert MAPPING.at(c.IN_STAGING, august) == ("waiting", "Deploy")
    timeline = StatusTimeline(
        august - 100 * HOUR_MS,
        (
            (august - 50 * HOUR_MS, c.BACKLOG, c.IN_PROGRESS),
            (august - 2 * HOUR_MS, c.IN_PROGRESS, c.IN_STAGING),
            (august + HOUR_MS, c.IN_STAGING, c.IN_PROGRESS),
            (august + 5 * HOUR_MS, c.IN_PROGRESS, c.IN_STAGING),
            (august + 8 * HOUR_MS, c.IN_STAGING, c.DONE),
        ),
        c.DONE,
    )
    fig = flow_figures(timeline, MAPPING, august + 100 * HOUR_MS)
    assert [iv.stage for iv in fig.intervals if iv.status_id == c.IN_STAGING] == ["Review", "Deploy"]
    assert hours(fig.stages["Review"].ms) == 3 and hours(fig.stages["Deploy"].ms) == 3
    assert fig.stages["Dev"].backflow_count == 1


def test_history_completeness():
    assert not figures(StatusTimeline(at(0), (), c.IN_PROGRESS)).history_complete  # first status not new
    broken = StatusTimeline(at(0), ((at(1), c.BACKLOG, c.IN_PROGRESS), (at(2), c.IN_REVIEW, c.DONE)), c.DONE)
    assert not figures(broken).history_complete  # a from that is not the previous to
    timeline = path(c.BACKLOG, (1, c.IN_PROGRESS), created=0)
    assert figures(timeline, horizon=at(-1)).history_complete
    assert not figures(timeline, horizon=at(0.5)).history_complete


def test_no_change_means_one_interval_in_the_current_status():
    fig = figures(StatusTimeline(at(0), (), c.BACKLOG), as_of_hours=7)
    assert len(fig.intervals) == 1 and hours(fig.intervals[0].duration_ms) == 7
    assert fig.flow_start_ms is None and fig.active_ms is None


def test_unmapped_status_is_an_error():
    with pytest.raises(KeyError):
        MAPPING.at(424242, at(0))


def test_generated_items_keep_the_stage_invariants(default_org):
    """Completed flow items: stage time + ignored = lead time; in-flow stage time + ignored = flow time."""
    truth = default_org.jira_truth()
    checked = 0
    for item in truth.flow_items():
        if not item.is_completed or item.negative_interval_count or item.flow_time_seconds is None:
            continue
        stages = [s for s in item.stages.values() if s.seconds is not None]
        assert sum(s.seconds for s in stages) + item.ignored_seconds == pytest.approx(item.lead_time_seconds)
        assert sum(s.in_flow_seconds for s in stages) + item.ignored_seconds == pytest.approx(
            item.flow_time_seconds
        )
        assert item.cycle_time_seconds is None or item.cycle_time_seconds <= item.flow_time_seconds
        checked += 1
    assert checked > 800
