"""Delivery milestones of a story-level item, read off its true timeline: development start (first
In Progress), review start (first review status after that) and release (first Releasing or done
status after the review). When no review status was visited, as in the stock workflow, review
starts 70 % of the way from development start to release. Always ordered dev ≤ review ≤ release."""

from __future__ import annotations

from extractors.simulation.jira import catalog as c
from extractors.simulation.jira.drafts import IssueDraft, Milestones

REVIEW_STATUSES = frozenset({c.READY_FOR_REVIEW, c.IN_REVIEW})
RELEASE_STATUSES = frozenset({c.RELEASING, c.DONE, c.RESOLVED, c.CLOSED})
NO_REVIEW_FRACTION = 0.7


def first_at(
    changes: list[tuple[int, int, int]], statuses: frozenset[int], after: int | None = None
) -> int | None:
    """When the first change at or after ``after`` into one of ``statuses`` happened."""
    return next((at for at, _, to in changes if to in statuses and (after is None or at >= after)), None)


def derive_milestones(draft: IssueDraft) -> Milestones:
    changes = draft.status_changes()
    dev_start = first_at(changes, frozenset({c.IN_PROGRESS}))
    if dev_start is None:
        return Milestones()
    review = first_at(changes, REVIEW_STATUSES, dev_start)
    release = first_at(changes, RELEASE_STATUSES, dev_start if review is None else review)
    if review is None and release is not None:
        review = dev_start + int((release - dev_start) * NO_REVIEW_FRACTION)
    return Milestones(dev_start, review, release)
