"""Parents and children around the story-level items: sub-tasks under stories, stories under epics,
epics under initiatives. Epics and initiatives follow their children (moved by the automation
account): in progress when the first child starts, done when every child is finished."""

from __future__ import annotations

import random

from extractors.simulation.jira import catalog as c
from extractors.simulation.jira.drafts import IMPORTED, NO_SUBTASKS, WITH_SUBTASKS, IssueDraft
from extractors.simulation.people import People
from extractors.simulation.timeutil import DAY_MS, HOUR_MS, MINUTE_MS

SUBTASK_SHARE = 0.2
EPIC_SIZE = (6, 18)
INITIATIVE_SIZE = (3, 6)
FINISHED = frozenset({c.DONE, c.RESOLVED, c.CLOSED, c.WONT_DO})


def first_dev_span(draft: IssueDraft, end_ms: int) -> tuple[int, int] | None:
    """From the first move into In Progress to the next status change (or the period's end)."""
    changes = draft.status_changes()
    for n, (at, _, to) in enumerate(changes):
        if to == c.IN_PROGRESS:
            return at, changes[n + 1][0] if n + 1 < len(changes) else end_ms
    return None


def add_subtasks(stories: list[IssueDraft], rng: random.Random, end_ms: int) -> list[IssueDraft]:
    """1–3 sub-tasks (To Do → In Progress → Done) inside the first development span of some stories."""
    subtasks = []
    for story in stories:
        if NO_SUBTASKS in story.flags:
            continue
        planted = WITH_SUBTASKS in story.flags
        if not planted and rng.random() >= SUBTASK_SHARE:
            continue
        span = first_dev_span(story, end_ms)
        if span is None:
            continue
        begin, length = span[0], max(span[1] - span[0], HOUR_MS)
        for _ in range(2 if planted else rng.randint(1, 3)):
            made, started, done = sorted(rng.random() for _ in range(3))
            sub = IssueDraft(
                project=story.project,
                type_id=c.SUBTASK,
                created_ms=begin + int(made * length),
                status0=c.TO_DO,
                team=story.team,
                reporter=story.reporter,
                assignee=story.assignee,
                assign_on_start=False,
                priority=story.priority,
                parent=story,
            )
            worker = story.assignee if story.assignee is not None else story.reporter
            sub.go(begin + int(started * length) + MINUTE_MS, c.IN_PROGRESS, worker)
            sub.go(begin + int(done * length) + 2 * MINUTE_MS, c.DONE, worker)
            subtasks.append(sub)
    return subtasks


def follow_children(parent: IssueDraft, children: list[IssueDraft], bot: int, end_ms: int) -> None:
    """Move a parent to In Progress when its first child leaves its initial status, and to Done when
    every child has finished (both a few minutes later, by the automation account)."""
    starts = [ch.events[0][0] for ch in children if ch.events]
    if not starts:
        return
    started = max(min(starts), parent.created_ms) + 5 * MINUTE_MS
    if started >= end_ms:
        return
    parent.go(started, c.IN_PROGRESS, bot)
    if all(ch.status in FINISHED for ch in children):
        finished = max(max(ch.last_at for ch in children), started) + HOUR_MS
        if finished < end_ms:
            parent.go(finished, c.DONE, bot)


def group(items: list[IssueDraft], size: tuple[int, int], rng: random.Random) -> list[list[IssueDraft]]:
    """Consecutive chunks of ``size`` (inclusive range) items."""
    chunks, n = [], 0
    while n < len(items):
        take = rng.randint(*size)
        chunks.append(items[n : n + take])
        n += take
    return chunks


def add_parents(
    children: list[IssueDraft],
    type_id: int,
    size: tuple[int, int],
    people: People,
    rng: random.Random,
    start_ms: int,
    end_ms: int,
) -> list[IssueDraft]:
    """Parents of ``type_id`` (Epic or Initiative) over chunks of each project's children, by creation."""
    parents = []
    by_project: dict[int, list[IssueDraft]] = {}
    for child in sorted(children, key=lambda d: d.created_ms):
        if IMPORTED not in child.flags:
            by_project.setdefault(child.project, []).append(child)
    for project, items in sorted(by_project.items()):
        for chunk in group(items, size, rng):
            first = chunk[0].created_ms
            created = min(first, max(start_ms, first - rng.randint(1, 10) * DAY_MS))
            parent = IssueDraft(
                project=project,
                type_id=type_id,
                created_ms=created,
                status0=c.TO_DO,
                team=chunk[0].team,
                reporter=people.product_managers[chunk[0].team],
                assignee=people.product_managers[chunk[0].team],
                assign_on_start=False,
            )
            for child in chunk:
                child.parent = parent
            follow_children(parent, chunk, people.automation, end_ms)
            parents.append(parent)
    return parents
