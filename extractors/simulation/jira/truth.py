"""The flow-metric definitions, applied to one issue's true status timeline.

This module is the executable form of DEVELOPERS.md, "Definitions we chose". It works on plain
integers (epoch milliseconds) and knows nothing about Jira payloads: the ground truth is computed
from the generator's own timeline, never by parsing what the APIs serve.

* Intervals start at ``created`` in the status the first change came *from* (or the current
  status when there was no change); the changes are already in ``(created, history id, item
  position)`` order. The last interval is open and measured to ``as_of``.
* A negative interval (a change stamped before creation) has no duration, is left out of every
  sum and is counted; a zero-length one stays with 0 ms.
* Flow start = first entry into an active or waiting status; cycle start = first active entry.
* Completed = current status is done; ``flow_end`` = start of the final run of done intervals.
  Canceled = current status is canceled; ``canceled_at`` = start of the final canceled run.
* Lead span ``[created, end)``, flow span ``[flow_start, end)``; ``end`` is flow end, canceled at,
  or ``as_of``. Active/wait/done-dwell/ignored time: intervals of that flow state clipped to the
  flow span. Stage time: the stage's intervals clipped to the lead span; ``in_flow`` part clipped
  to the flow span.
* Visits: drop stage-less intervals and those with no length inside the lead span (zero-length
  and negative ones, the final done run of a completed item: "zero-length" read as zero stage
  time, as the dbt models do), merge consecutive intervals of one stage. A visit whose
  predecessor's stage comes later in process order is a backflow.
"""

from __future__ import annotations

from dataclasses import dataclass

from extractors.simulation.jira.mapping import STAGE_ORDER, STAGES, StatusMapping

ACTIVE, WAITING, DONE, CANCELED, IGNORE, NEW = "active", "waiting", "done", "canceled", "ignore", "new"


@dataclass(frozen=True)
class StatusTimeline:
    """One issue's status history as of some instant.

    ``changes`` are ``(at_ms, from_status, to_status)`` in ``(created, history id, item position)``
    order; ``current_status`` is only consulted when there is no change at all.
    """

    created_ms: int
    changes: tuple[tuple[int, int, int], ...]
    current_status: int

    @property
    def first_status(self) -> int:
        return self.changes[0][1] if self.changes else self.current_status


@dataclass(frozen=True, slots=True)
class Interval:
    status_id: int
    entered_ms: int
    exited_ms: int | None  # None: open, measured to as_of
    flow_state: str
    stage: str | None
    duration_ms: int | None  # None when negative


@dataclass(frozen=True, slots=True)
class Visit:
    """Consecutive kept intervals (indices ``first``..``last`` into the interval list) of one stage."""

    stage: str
    first: int
    last: int
    backflow: bool


@dataclass(frozen=True)
class StageFigures:
    stage: str
    stage_order: int
    ms: int | None  # None: never visited
    in_flow_ms: int | None  # None: never visited
    visit_count: int
    backflow_count: int
    first_entered_ms: int | None
    last_exited_ms: int | None


@dataclass(frozen=True)
class FlowFigures:
    """Everything the definitions say about one issue, in milliseconds."""

    created_ms: int
    flow_start_ms: int | None
    cycle_start_ms: int | None
    flow_end_ms: int | None
    canceled_ms: int | None
    lead_ms: int | None
    cycle_ms: int | None
    flow_ms: int | None
    active_ms: int | None
    wait_ms: int | None
    done_dwell_ms: int | None
    ignored_ms: int | None
    reopen_count: int
    backflow_count: int
    negative_interval_count: int
    history_complete: bool
    intervals: tuple[Interval, ...]
    visits: tuple[Visit, ...]
    stages: dict[str, StageFigures]

    @property
    def is_completed(self) -> bool:
        return self.flow_end_ms is not None

    @property
    def is_canceled(self) -> bool:
        return self.canceled_ms is not None

    @property
    def flow_efficiency(self) -> float | None:
        if not self.is_completed or self.active_ms is None or self.wait_ms is None:
            return None
        total = self.active_ms + self.wait_ms
        return self.active_ms / total if total else None


def build_intervals(timeline: StatusTimeline, mapping: StatusMapping, as_of_ms: int) -> list[Interval]:
    """Status intervals, each mapped by the rule in effect when it was entered."""
    starts = [(timeline.created_ms, timeline.first_status)]
    starts += [(at, to) for at, _, to in timeline.changes]
    intervals = []
    for n, (entered, status) in enumerate(starts):
        exited = starts[n + 1][0] if n + 1 < len(starts) else None
        length = (as_of_ms if exited is None else exited) - entered
        state, stage = mapping.at(status, entered)
        intervals.append(Interval(status, entered, exited, state, stage, length if length >= 0 else None))
    return intervals


def first_entry(intervals: list[Interval], states: tuple[str, ...]) -> int | None:
    """When the first interval in one of ``states`` was entered."""
    return next((iv.entered_ms for iv in intervals if iv.flow_state in states), None)


def final_run_start(intervals: list[Interval], state: str) -> int | None:
    """Start of the final run of consecutive ``state`` intervals, if the current interval is in ``state``."""
    if not intervals or intervals[-1].flow_state != state:
        return None
    n = len(intervals) - 1
    while n > 0 and intervals[n - 1].flow_state == state:
        n -= 1
    return intervals[n].entered_ms


def count_reopens(intervals: list[Interval]) -> int:
    """Transitions from a done status to one that is neither done nor canceled."""
    return sum(
        1
        for a, b in zip(intervals, intervals[1:], strict=False)
        if a.flow_state == DONE and b.flow_state not in (DONE, CANCELED)
    )


def overlap_ms(interval: Interval, low: int, high: int, as_of_ms: int) -> int:
    """The part of an interval inside ``[low, high)``; 0 for negative intervals."""
    if interval.duration_ms is None:
        return 0
    exited = as_of_ms if interval.exited_ms is None else interval.exited_ms
    return max(0, min(exited, high) - max(interval.entered_ms, low))


def clipped_sum(intervals: list[Interval], keep, span: tuple[int, int] | None, as_of_ms: int) -> int | None:
    """Sum of the intervals ``keep`` accepts, clipped to ``span``; None without a span."""
    if span is None:
        return None
    return sum(overlap_ms(iv, span[0], span[1], as_of_ms) for iv in intervals if keep(iv))


def form_visits(intervals: list[Interval], lead_span: tuple[int, int], as_of_ms: int) -> list[Visit]:
    """Stage visits after dropping stage-less intervals and those with no length inside the lead
    span (zero-length and negative ones, the final done run of a completed item); flags backflows."""
    visits: list[Visit] = []
    for n, iv in enumerate(intervals):
        if iv.stage is None or overlap_ms(iv, lead_span[0], lead_span[1], as_of_ms) == 0:
            continue
        if visits and visits[-1].stage == iv.stage:
            last = visits[-1]
            visits[-1] = Visit(last.stage, last.first, n, last.backflow)
            continue
        backflow = bool(visits) and STAGE_ORDER[visits[-1].stage] > STAGE_ORDER[iv.stage]
        visits.append(Visit(iv.stage, n, n, backflow))
    return visits


def stage_figures(
    intervals: list[Interval],
    visits: list[Visit],
    lead_span: tuple[int, int],
    flow_span: tuple[int, int] | None,
    as_of_ms: int,
) -> dict[str, StageFigures]:
    """All five stages; a stage never visited has no time (None) and 0 visits. A visited stage of
    an item without a flow span has 0 in-flow time."""
    figures = {}
    for stage in STAGES:
        mine = [v for v in visits if v.stage == stage]
        if not mine:
            figures[stage] = StageFigures(stage, STAGE_ORDER[stage], None, None, 0, 0, None, None)
            continue

        def in_stage(iv: Interval, stage: str = stage) -> bool:
            return iv.stage == stage

        figures[stage] = StageFigures(
            stage,
            STAGE_ORDER[stage],
            clipped_sum(intervals, in_stage, lead_span, as_of_ms),
            clipped_sum(intervals, in_stage, flow_span, as_of_ms) or 0,
            len(mine),
            sum(v.backflow for v in mine),
            intervals[mine[0].first].entered_ms,
            intervals[mine[-1].last].exited_ms,
        )
    return figures


def is_history_complete(timeline: StatusTimeline, intervals: list[Interval], horizon_ms: int | None) -> bool:
    """False when the first status is not ``new``, a change's *from* is not the previous *to*, or
    the issue predates the history horizon."""
    if intervals[0].flow_state != NEW:
        return False
    previous = timeline.first_status
    for _, source, target in timeline.changes:
        if source != previous:
            return False
        previous = target
    return horizon_ms is None or timeline.created_ms >= horizon_ms


def flow_figures(
    timeline: StatusTimeline, mapping: StatusMapping, as_of_ms: int, horizon_ms: int | None = None
) -> FlowFigures:
    """Apply every definition to one timeline."""
    intervals = build_intervals(timeline, mapping, as_of_ms)
    created = timeline.created_ms
    flow_start = first_entry(intervals, (ACTIVE, WAITING))
    cycle_start = first_entry(intervals, (ACTIVE,))
    flow_end = final_run_start(intervals, DONE)
    canceled = final_run_start(intervals, CANCELED)
    end = flow_end if flow_end is not None else canceled if canceled is not None else as_of_ms
    lead_span = (created, end)
    flow_span = (flow_start, end) if flow_start is not None else None
    visits = form_visits(intervals, lead_span, as_of_ms)

    def of_state(state: str):
        return lambda iv: iv.flow_state == state

    return FlowFigures(
        created_ms=created,
        flow_start_ms=flow_start,
        cycle_start_ms=cycle_start,
        flow_end_ms=flow_end,
        canceled_ms=canceled,
        lead_ms=None if flow_end is None else flow_end - created,
        cycle_ms=None if flow_end is None or cycle_start is None else flow_end - cycle_start,
        flow_ms=None if flow_end is None or flow_start is None else flow_end - flow_start,
        active_ms=clipped_sum(intervals, of_state(ACTIVE), flow_span, as_of_ms),
        wait_ms=clipped_sum(intervals, of_state(WAITING), flow_span, as_of_ms),
        done_dwell_ms=clipped_sum(intervals, of_state(DONE), flow_span, as_of_ms),
        ignored_ms=clipped_sum(intervals, of_state(IGNORE), flow_span, as_of_ms),
        reopen_count=count_reopens(intervals),
        backflow_count=sum(v.backflow for v in visits),
        negative_interval_count=sum(1 for iv in intervals if iv.duration_ms is None),
        history_complete=is_history_complete(timeline, intervals, horizon_ms),
        intervals=tuple(intervals),
        visits=tuple(visits),
        stages=stage_figures(intervals, visits, lead_span, flow_span, as_of_ms),
    )
