"""The generated Jira site, frozen: per-issue attributes and one columnar table of events.

Issues are indexed ``0..n-1`` in creation order (their Jira ids increase the same way). Events of
issue ``i`` are rows ``ev_offsets[i]:ev_offsets[i + 1]``, in the order they happened; their
times never decrease within an issue, so "as of" cuts are prefixes. Everything a payload or the
ground truth needs "as of" an instant is answered here, from the true timeline.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from extractors.simulation.config import OrgConfig
from extractors.simulation.jira.catalog import Project
from extractors.simulation.jira.drafts import MOVE_EVENT, STATUS_EVENT, TYPE_EVENT, Milestones
from extractors.simulation.people import People


@dataclass(eq=False)
class JiraModel:
    config: OrgConfig
    projects: tuple[Project, ...]
    people: People
    # per issue
    issue_id: np.ndarray
    created_ms: np.ndarray
    project0: np.ndarray
    number0: np.ndarray
    type0: np.ndarray
    status0: np.ndarray
    parent: np.ndarray  # issue index, -1 for none
    reporter: np.ndarray
    assignee: np.ndarray  # person index, -1 for none
    assigned_ms: np.ndarray  # when the assignee was set; -1 for never
    assign_row: np.ndarray  # event row whose history sets the assignee; -1 when set at creation or never
    priority: np.ndarray
    labels: tuple[tuple[str, ...], ...]
    summaries: tuple[str, ...]
    story_points: tuple[float | None, ...]
    flags: dict[int, frozenset[str]]
    milestones: dict[int, Milestones]
    key_history: dict[int, tuple[tuple[int, int, int], ...]]  # moved issues: (since_ms, project, number)
    # events
    ev_offsets: np.ndarray
    ev_at: np.ndarray
    ev_id: np.ndarray
    ev_kind: np.ndarray
    ev_from: np.ndarray
    ev_to: np.ndarray
    ev_author: np.ndarray

    @property
    def size(self) -> int:
        return len(self.issue_id)

    def rows(self, i: int, as_of_ms: int) -> range:
        """Event rows of issue ``i`` that happened at or before ``as_of_ms``."""
        start, end = int(self.ev_offsets[i]), int(self.ev_offsets[i + 1])
        stop = start + int(np.searchsorted(self.ev_at[start:end], as_of_ms, side="right"))
        return range(start, stop)

    def events(self, i: int, as_of_ms: int) -> list[tuple[int, int, int, int, int]]:
        """``(at_ms, kind, from, to, author)`` of issue ``i``'s events up to ``as_of_ms``, in order."""
        rows = self.rows(i, as_of_ms)
        sl = slice(rows.start, rows.stop)
        columns = (self.ev_at, self.ev_kind, self.ev_from, self.ev_to, self.ev_author)
        return list(zip(*(column[sl].tolist() for column in columns), strict=True))

    def _last(self, i: int, as_of_ms: int, kind: int) -> int | None:
        for row in reversed(self.rows(i, as_of_ms)):
            if self.ev_kind[row] == kind:
                return int(self.ev_to[row])
        return None

    def status_at(self, i: int, as_of_ms: int) -> int:
        last = self._last(i, as_of_ms, STATUS_EVENT)
        return int(self.status0[i]) if last is None else last

    def type_at(self, i: int, as_of_ms: int) -> int:
        last = self._last(i, as_of_ms, TYPE_EVENT)
        return int(self.type0[i]) if last is None else last

    def key_at(self, i: int, as_of_ms: int) -> tuple[int, int]:
        """``(project index, number)`` of the issue's key at ``as_of_ms``."""
        history = self.key_history.get(i)
        if history is None:
            return int(self.project0[i]), int(self.number0[i])
        project, number = history[0][1:]
        for since, p, n in history[1:]:
            if since <= as_of_ms:
                project, number = p, n
        return project, number

    def key_text(self, project: int, number: int) -> str:
        return f"{self.projects[project].key}-{number}"

    def updated_ms(self, i: int, as_of_ms: int) -> int:
        rows = self.rows(i, as_of_ms)
        created = int(self.created_ms[i])
        return max(created, int(self.ev_at[rows.stop - 1])) if rows else created

    def resolved_ms(self, i: int, as_of_ms: int, is_resolved) -> int | None:
        """When the current resolution was set (the last change from an unresolved status into a
        resolved one), or None when unresolved. ``is_resolved(status_id)`` decides."""
        if not is_resolved(self.status_at(i, as_of_ms)):
            return None
        resolved_at = int(self.created_ms[i])
        for row in self.rows(i, as_of_ms):
            if (
                self.ev_kind[row] == STATUS_EVENT
                and is_resolved(int(self.ev_to[row]))
                and not is_resolved(int(self.ev_from[row]))
            ):
                resolved_at = int(self.ev_at[row])
        return resolved_at

    def assignee_at(self, i: int, as_of_ms: int) -> int | None:
        assigned = int(self.assigned_ms[i])
        return int(self.assignee[i]) if 0 <= assigned <= as_of_ms else None

    # vectorised views for search

    def updated_vector(self, as_of_ms: int) -> np.ndarray:
        """``updated`` of every issue as of ``as_of_ms`` (its creation when nothing happened since)."""
        included = np.concatenate(([0], np.cumsum(self.ev_at <= as_of_ms)))
        count = included[self.ev_offsets[1:]] - included[self.ev_offsets[:-1]]
        last = np.maximum(self.ev_offsets[:-1] + count - 1, 0)
        last_at = self.ev_at[last] if len(self.ev_at) else np.zeros_like(self.created_ms)
        return np.where(count > 0, np.maximum(self.created_ms, last_at), self.created_ms)

    def project_vector(self, as_of_ms: int) -> np.ndarray:
        projects = self.project0.copy()
        for i in self.key_history:
            projects[i] = self.key_at(i, as_of_ms)[0]
        return projects

    def number_vector(self, as_of_ms: int) -> np.ndarray:
        numbers = self.number0.copy()
        for i in self.key_history:
            numbers[i] = self.key_at(i, as_of_ms)[1]
        return numbers

    def move_keys(self, i: int, row: int) -> tuple[str, str]:
        """Old and new key of the move event at ``row``."""
        history = self.key_history[i]
        moves_before = sum(1 for r in range(int(self.ev_offsets[i]), row) if self.ev_kind[r] == MOVE_EVENT)
        (_, p0, n0), (_, p1, n1) = history[moves_before], history[moves_before + 1]
        return self.key_text(p0, n0), self.key_text(p1, n1)
