"""Issues while they are being generated: a mutable draft per issue that records its true timeline.

Walks, scripted scenarios and the hierarchy pass all write drafts; :mod:`builder` freezes them into
the site's :class:`~extractors.simulation.jira.model.JiraModel`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

STATUS_EVENT, TYPE_EVENT, MOVE_EVENT = 0, 1, 2

# Planted-scenario flags that only the generator knows (everything else is read off the timeline).
OUT_OF_ORDER = "out_of_order"  # bulkfetch serves this issue's histories shuffled
IMPORTED = "truncated_history"  # created before the period, imported without a changelog
NO_SUBTASKS = "no_subtasks"
WITH_SUBTASKS = "with_subtasks"


@dataclass(slots=True)
class Milestones:
    """Delivery instants a later source (Git, CI) derives its commits, PRs and deployments from."""

    dev_start_ms: int | None = None
    review_start_ms: int | None = None
    release_ms: int | None = None


@dataclass(slots=True, eq=False)
class IssueDraft:
    """One issue's true history. ``events`` are ``(at_ms, kind, from, to, author)`` in the order
    they happened (equal instants keep their order; it becomes the history-id order)."""

    project: int
    type_id: int
    created_ms: int
    status0: int
    team: int
    reporter: int
    assignee: int | None = None
    assign_on_start: bool = True  # the assignee is set when work starts, else from creation
    priority: int = 3
    labels: tuple[str, ...] = ()
    story_points: float | None = None
    summary: str = ""
    parent: IssueDraft | None = None
    events: list[tuple[int, int, int, int, int]] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)
    milestones: Milestones = field(default_factory=Milestones)

    @property
    def status(self) -> int:
        """The status after the last recorded event."""
        for _, kind, _, to, _ in reversed(self.events):
            if kind == STATUS_EVENT:
                return to
        return self.status0

    @property
    def last_at(self) -> int:
        return self.events[-1][0] if self.events else self.created_ms

    def go(self, at_ms: int, status: int, author: int) -> None:
        """A status change to ``status``."""
        self.events.append((at_ms, STATUS_EVENT, self.status, status, author))

    def retype(self, at_ms: int, type_id: int, author: int) -> None:
        current = next(
            (to for _, kind, _, to, _ in reversed(self.events) if kind == TYPE_EVENT), self.type_id
        )
        self.events.append((at_ms, TYPE_EVENT, current, type_id, author))

    def move(self, at_ms: int, project: int, author: int) -> None:
        current = next(
            (to for _, kind, _, to, _ in reversed(self.events) if kind == MOVE_EVENT), self.project
        )
        self.events.append((at_ms, MOVE_EVENT, current, project, author))

    def status_changes(self) -> list[tuple[int, int, int]]:
        """``(at_ms, from, to)`` of every status change."""
        return [(at, frm, to) for at, kind, frm, to, _ in self.events if kind == STATUS_EVENT]

    def truncate(self, end_ms: int) -> None:
        """Forget everything from ``end_ms`` on (the simulated history stops there)."""
        self.events = [e for e in self.events if e[0] < end_ms]
