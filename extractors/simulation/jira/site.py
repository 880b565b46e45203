"""The organisation's Jira site as it lives on after generation: the frozen model plus what happens
to it later (deleted issues), looked up by id or by any key an issue has had."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from extractors.simulation.jira.model import JiraModel
from extractors.simulation.timeutil import from_ms, to_ms


@dataclass(frozen=True)
class DeliveryMilestones:
    """When a story-level item's development started, its review started and it was released."""

    issue_id: str
    dev_start_at: datetime | None
    review_start_at: datetime | None
    release_at: datetime | None


class JiraSite:
    """The Jira part of a :class:`~extractors.simulation.organisation.SimulatedOrganisation`."""

    def __init__(self, model: JiraModel, clock_ms: Callable[[], int]):
        self.model = model
        self._clock_ms = clock_ms
        self.deleted_ms: dict[int, int] = {}
        self.version = 0  # bumps on every change after generation, for caches
        self._by_id = {str(issue_id): i for i, issue_id in enumerate(model.issue_id.tolist())}
        self._by_key: dict[str, list[tuple[int, int]]] = {}
        for i in range(model.size):
            history = model.key_history.get(
                i, ((int(model.created_ms[i]), int(model.project0[i]), int(model.number0[i])),)
            )
            for since, project, number in history:
                self._by_key.setdefault(model.key_text(project, number), []).append((since, i))

    @property
    def config(self):
        return self.model.config

    def exists(self, i: int, as_of_ms: int) -> bool:
        """Created by ``as_of_ms`` and not deleted by then."""
        deleted = self.deleted_ms.get(i)
        return int(self.model.created_ms[i]) <= as_of_ms and (deleted is None or deleted > as_of_ms)

    def lookup(self, id_or_key: str, as_of_ms: int | None = None) -> int | None:
        """The issue an id, a current key or an old key (of a moved issue) names at ``as_of_ms``
        (any time when None); None when unknown, not yet created or deleted."""
        text = str(id_or_key).strip()
        candidates = [(0, self._by_id[text])] if text in self._by_id else self._by_key.get(text.upper(), [])
        for since, i in candidates:
            if as_of_ms is None:
                return i
            if since <= as_of_ms and self.exists(i, as_of_ms):
                return i
        return None

    def delete_issue(self, issue_id_or_key: str | int, at: datetime | None = None) -> str:
        """Delete an issue at ``at`` (default: the organisation's clock); returns its id. From then on
        it is gone from every API; the ground truth marks it ``is_deleted``."""
        i = self.lookup(str(issue_id_or_key))
        if i is None:
            raise KeyError(f"no issue {issue_id_or_key!r}")
        self.deleted_ms[i] = self._clock_ms() if at is None else to_ms(at)
        self.version += 1
        return str(int(self.model.issue_id[i]))

    def delivery_milestones(self) -> dict[str, DeliveryMilestones]:
        """Milestones of every story-level item, by issue id (what Git/CI sources derive from)."""

        def when(ms: int | None) -> datetime | None:
            return None if ms is None else from_ms(ms)

        out = {}
        for i, m in self.model.milestones.items():
            issue_id = str(int(self.model.issue_id[i]))
            out[issue_id] = DeliveryMilestones(
                issue_id, when(m.dev_start_ms), when(m.review_start_ms), when(m.release_ms)
            )
        return out
