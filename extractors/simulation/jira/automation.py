"""The "Automation for Jira" bulk rule: at one instant, cancel every item that has sat in the
backlog for too long. All its changes carry the identical timestamp and the app account."""

from __future__ import annotations

from extractors.simulation.jira import catalog as c
from extractors.simulation.jira.drafts import STATUS_EVENT, IssueDraft
from extractors.simulation.timeutil import DAY_MS

STALE_AFTER_DAYS = 14


def status_before(draft: IssueDraft, at_ms: int) -> int:
    status = draft.status0
    for when, kind, _, to, _ in draft.events:
        if when >= at_ms:
            break
        if kind == STATUS_EVENT:
            status = to
    return status


def sweep_stale_backlog(drafts: list[IssueDraft], at_ms: int, bot: int) -> int:
    """Cancel (Backlog → Won't Do, by ``bot``, at ``at_ms``) the drafts that are in the backlog at
    ``at_ms`` and were created at least ``STALE_AFTER_DAYS`` before; their later history is dropped.
    Returns how many were swept."""
    swept = 0
    for draft in drafts:
        if draft.created_ms > at_ms - STALE_AFTER_DAYS * DAY_MS or status_before(draft, at_ms) != c.BACKLOG:
            continue
        draft.truncate(at_ms)
        draft.go(at_ms, c.WONT_DO, bot)
        swept += 1
    return swept
