"""The organisation's ground truth: every issue's figures as the warehouse marts should show them.

Assembled from the generator's own timeline (never from payloads) with the definitions in
:mod:`~extractors.simulation.jira.truth`, plus what the marts add around them: keys, types at
completion, flow item types with label rules, the hierarchy and deletions. Each item also lists the
edge cases its timeline shows, read off the timeline itself.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from extractors.simulation.jira import catalog as c
from extractors.simulation.jira.drafts import IMPORTED, MOVE_EVENT, OUT_OF_ORDER, STATUS_EVENT, TYPE_EVENT
from extractors.simulation.jira.mapping import (
    STAGE_ORDER,
    STAGES,
    StatusMapping,
    flow_item_type,
    hierarchy_level,
)
from extractors.simulation.jira.site import JiraSite
from extractors.simulation.jira.truth import (
    ACTIVE,
    DONE,
    IGNORE,
    NEW,
    WAITING,
    FlowFigures,
    StatusTimeline,
    flow_figures,
)
from extractors.simulation.timeutil import dst_transitions, from_ms, to_ms

BULK_MIN_ISSUES = 3  # a bot instant touching at least this many issues is a bulk move

EDGE_CASES = (
    "reopened",
    "skipped_status",
    "rework",
    "renamed_status",
    "mapping_changed",
    "moved_project",
    "type_changed",
    "bulk_bot",
    "equal_timestamps",
    "zero_length",
    "out_of_order",
    "clock_skew",
    "dst_crossing",
    "open_at_end",
    "truncated_history",
    "canceled",
    "closed_from_backlog",
    "on_hold",
    "resolved_then_closed",
    "subtask",
    "epic",
    "initiative",
    "deleted",
)


@dataclass(frozen=True)
class TrueInterval:
    status_id: str
    status_name: str  # the name the status had when the interval was entered
    flow_state: str
    stage: str | None  # None for ignore and canceled statuses
    entered_at: datetime
    exited_at: datetime | None  # None: still open at as_of
    duration_seconds: float | None  # to as_of when open; None when negative


@dataclass(frozen=True)
class TrueStageFigures:
    stage: str
    stage_order: int
    seconds: float | None  # clipped to the lead span; None when never visited
    in_flow_seconds: float | None  # clipped to the flow span (0 without one); None when never visited
    visit_count: int
    backflow_count: int
    first_entered_at: datetime | None
    last_exited_at: datetime | None


@dataclass(frozen=True)
class TrueItem:
    issue_id: str
    issue_key: str
    project_key: str
    issue_type_name: str
    flow_item_type: str | None
    hierarchy_level: str
    is_flow_item: bool
    parent_issue_key: str | None
    epic_issue_key: str | None
    initiative_issue_key: str | None
    created_at: datetime
    flow_start_at: datetime | None
    cycle_start_at: datetime | None
    flow_end_at: datetime | None
    canceled_at: datetime | None
    is_completed: bool
    is_canceled: bool
    lead_time_seconds: float | None
    cycle_time_seconds: float | None
    flow_time_seconds: float | None
    active_seconds: float | None
    wait_seconds: float | None
    done_dwell_seconds: float | None
    ignored_seconds: float | None
    flow_efficiency: float | None
    reopen_count: int
    backflow_count: int
    negative_interval_count: int
    history_complete: bool
    is_deleted: bool
    intervals: tuple[TrueInterval, ...]
    stages: dict[str, TrueStageFigures]
    edge_cases: frozenset[str]


class JiraTruth:
    """Ground truth of the Jira site as of one instant."""

    def __init__(self, as_of: datetime, items: dict[str, TrueItem]):
        self.as_of = as_of
        self.items = items

    def flow_items(self, include_deleted: bool = False) -> list[TrueItem]:
        """Flow items (story level), deleted ones left out unless asked for — as the marts show them."""
        return [
            it for it in self.items.values() if it.is_flow_item and (include_deleted or not it.is_deleted)
        ]

    def with_edge_case(self, name: str) -> list[TrueItem]:
        """Every issue (any level, deleted included) whose timeline shows the edge case."""
        if name not in EDGE_CASES:
            raise KeyError(f"unknown edge case {name!r}; known: {', '.join(EDGE_CASES)}")
        return [it for it in self.items.values() if name in it.edge_cases]

    def lead_time_by_stage(
        self, window_start: datetime, window_end: datetime
    ) -> list[tuple[str, int, float | None, int]]:
        """``(stage, stage_order, total_seconds, items_visiting)`` over completed, history-complete,
        undeleted flow items with ``flow_end_at`` in ``[window_start, window_end)``; every stage, in
        process order (0 seconds and 0 items where none visited)."""
        items = [
            it
            for it in self.flow_items()
            if it.is_completed and it.history_complete and window_start <= it.flow_end_at < window_end
        ]
        rows = []
        for stage in STAGES:
            visiting = [it.stages[stage].seconds for it in items if it.stages[stage].visit_count > 0]
            rows.append((stage, STAGE_ORDER[stage], float(sum(visiting)), len(visiting)))
        return rows


def _seconds(ms: int | None) -> float | None:
    return None if ms is None else ms / 1000.0


def _at(ms: int | None) -> datetime | None:
    return None if ms is None else from_ms(ms)


class _Builder:
    """Builds every TrueItem of a site as of one instant."""

    def __init__(self, site: JiraSite, as_of_ms: int, horizon_ms: int | None):
        self.site, self.model, self.as_of, self.horizon = site, site.model, as_of_ms, horizon_ms
        self.mapping = StatusMapping()
        m = self.model
        first = int(m.created_ms.min()) if m.size else as_of_ms
        self.dst = dst_transitions(site.config.zone, first, as_of_ms) if as_of_ms > first else []
        bot = m.people.automation
        bot_rows = (m.ev_author == bot) & (m.ev_kind == STATUS_EVENT) & (m.ev_at <= as_of_ms)
        per_instant = Counter(m.ev_at[bot_rows].tolist())
        self.bulk_instants = {at for at, n in per_instant.items() if n >= BULK_MIN_ISSUES}

    def key(self, i: int) -> str:
        return self.model.key_text(*self.model.key_at(i, self.as_of))

    def parent(self, i: int) -> int | None:
        """The issue's parent, unless it has been deleted (Jira then drops the link)."""
        parent = int(self.model.parent[i])
        return parent if parent >= 0 and self.site.exists(parent, self.as_of) else None

    def ancestor(self, i: int, level: str) -> str | None:
        """Key of the nearest live ancestor whose current type is at ``level``."""
        parent = self.parent(i)
        while parent is not None:
            if hierarchy_level(c.ISSUE_TYPES[self.model.type_at(parent, self.as_of)].name) == level:
                return self.key(parent)
            parent = self.parent(parent)
        return None

    def item(self, i: int) -> TrueItem:
        m, as_of = self.model, self.as_of
        events = m.events(i, as_of)
        changes = tuple((at, frm, to) for at, kind, frm, to, _ in events if kind == STATUS_EVENT)
        timeline = StatusTimeline(
            int(m.created_ms[i]), changes, changes[-1][2] if changes else int(m.status0[i])
        )
        fig = flow_figures(timeline, self.mapping, as_of, self.horizon)
        type_until = fig.flow_end_ms if fig.is_completed else as_of
        type_id = next(
            (to for at, kind, _, to, _ in reversed(events) if kind == TYPE_EVENT and at <= type_until),
            int(m.type0[i]),
        )
        type_name = c.ISSUE_TYPES[type_id].name
        level = hierarchy_level(type_name)
        parent = self.parent(i)
        project, _ = m.key_at(i, as_of)
        deleted = not self.site.exists(i, as_of)
        return TrueItem(
            issue_id=str(int(m.issue_id[i])),
            issue_key=self.key(i),
            project_key=m.projects[project].key,
            issue_type_name=type_name,
            flow_item_type=flow_item_type(type_name, m.labels[i]),
            hierarchy_level=level,
            is_flow_item=level == "story",
            parent_issue_key=self.key(parent) if parent is not None else None,
            epic_issue_key=self.ancestor(i, "epic"),
            initiative_issue_key=self.ancestor(i, "initiative"),
            created_at=from_ms(fig.created_ms),
            flow_start_at=_at(fig.flow_start_ms),
            cycle_start_at=_at(fig.cycle_start_ms),
            flow_end_at=_at(fig.flow_end_ms),
            canceled_at=_at(fig.canceled_ms),
            is_completed=fig.is_completed,
            is_canceled=fig.is_canceled,
            lead_time_seconds=_seconds(fig.lead_ms),
            cycle_time_seconds=_seconds(fig.cycle_ms),
            flow_time_seconds=_seconds(fig.flow_ms),
            active_seconds=_seconds(fig.active_ms),
            wait_seconds=_seconds(fig.wait_ms),
            done_dwell_seconds=_seconds(fig.done_dwell_ms),
            ignored_seconds=_seconds(fig.ignored_ms),
            flow_efficiency=fig.flow_efficiency,
            reopen_count=fig.reopen_count,
            backflow_count=fig.backflow_count,
            negative_interval_count=fig.negative_interval_count,
            history_complete=fig.history_complete,
            is_deleted=deleted,
            intervals=self.intervals(fig),
            stages=self.stages(fig),
            edge_cases=self.edge_cases(i, events, fig, level, deleted),
        )

    @staticmethod
    def intervals(fig: FlowFigures) -> tuple[TrueInterval, ...]:
        return tuple(
            TrueInterval(
                str(iv.status_id),
                c.STATUSES[iv.status_id].name_at(iv.entered_ms),
                iv.flow_state,
                iv.stage,
                from_ms(iv.entered_ms),
                _at(iv.exited_ms),
                _seconds(iv.duration_ms),
            )
            for iv in fig.intervals
        )

    @staticmethod
    def stages(fig: FlowFigures) -> dict[str, TrueStageFigures]:
        return {
            s: TrueStageFigures(
                s,
                f.stage_order,
                _seconds(f.ms),
                _seconds(f.in_flow_ms),
                f.visit_count,
                f.backflow_count,
                _at(f.first_entered_ms),
                _at(f.last_exited_ms),
            )
            for s, f in fig.stages.items()
        }

    def edge_cases(
        self,
        i: int,
        events: list[tuple[int, int, int, int, int]],
        fig: FlowFigures,
        level: str,
        deleted: bool,
    ) -> frozenset[str]:
        m, ivs = self.model, fig.intervals
        times = [e[0] for e in events]
        kinds = [e[1] for e in events]
        pairs = list(zip(ivs, ivs[1:], strict=False))
        lead_end = fig.flow_end_ms if fig.flow_end_ms is not None else fig.canceled_ms
        lead_end = self.as_of if lead_end is None else lead_end
        checks = {
            "reopened": fig.reopen_count > 0,
            "skipped_status": fig.is_completed
            and fig.flow_start_ms is not None
            and any(s.visit_count == 0 for s in fig.stages.values()),
            "rework": any(
                v.backflow and ivs[fig.visits[n - 1].last].flow_state in (ACTIVE, WAITING)
                for n, v in enumerate(fig.visits)
            ),
            "renamed_status": any(
                c.STATUSES[iv.status_id].name_at(iv.entered_ms)
                != c.STATUSES[iv.status_id].name_at(self.as_of)
                for iv in ivs
            ),
            "mapping_changed": len({(iv.status_id, iv.stage) for iv in ivs})
            > len({iv.status_id for iv in ivs}),
            "moved_project": MOVE_EVENT in kinds,
            "type_changed": TYPE_EVENT in kinds,
            "bulk_bot": any(
                kind == STATUS_EVENT and author == m.people.automation and at in self.bulk_instants
                for at, kind, _, _, author in events
            ),
            "equal_timestamps": len(set(times)) < len(times),
            "zero_length": any(iv.duration_ms == 0 for iv in ivs),
            "out_of_order": OUT_OF_ORDER in m.flags.get(i, ()),
            "clock_skew": fig.negative_interval_count > 0,
            "dst_crossing": any(
                iv.entered_ms < t < min(self.as_of if iv.exited_ms is None else iv.exited_ms, lead_end)
                for iv in ivs
                for t in self.dst
            ),
            "open_at_end": not fig.is_completed and not fig.is_canceled,
            "truncated_history": IMPORTED in m.flags.get(i, ()),
            "canceled": fig.is_canceled,
            "closed_from_backlog": fig.is_completed
            and fig.flow_start_ms is None
            and any(iv.flow_state == NEW for iv in ivs),
            "on_hold": any(iv.flow_state == IGNORE and iv.duration_ms for iv in ivs),
            "resolved_then_closed": any(
                a.flow_state == DONE and b.flow_state == DONE and a.status_id != b.status_id for a, b in pairs
            ),
            "subtask": level == "subtask",
            "epic": level == "epic",
            "initiative": level == "initiative",
            "deleted": deleted,
        }
        return frozenset(name for name, shown in checks.items() if shown)


def build_truth(site: JiraSite, as_of: datetime, history_horizon: datetime | None = None) -> JiraTruth:
    """Ground truth of every issue created by ``as_of``, in issue-id order."""
    as_of_ms = to_ms(as_of)
    builder = _Builder(site, as_of_ms, None if history_horizon is None else to_ms(history_horizon))
    created = site.model.created_ms
    items = {}
    for i in range(site.model.size):
        if int(created[i]) <= as_of_ms:
            item = builder.item(i)
            items[item.issue_id] = item
    return JiraTruth(from_ms(as_of_ms), items)
