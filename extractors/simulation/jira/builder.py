"""Freezing drafts into the site: Jira ids, keys and history ids, as Jira would assign them.

* Issue ids increase with creation time across the site.
* Keys count up per project in creation order; a move takes the next number of the target
  project at the moment of the move (the id stays).
* History ids increase with time across the site (equal instants: in the order they happened),
  with small gaps, starting just below 10 000 so that sorting them as text would be wrong.
"""

from __future__ import annotations

import numpy as np

from extractors.simulation.config import OrgConfig
from extractors.simulation.jira.catalog import IN_PROGRESS, STORY_LEVEL_TYPES, Project
from extractors.simulation.jira.drafts import IMPORTED, MOVE_EVENT, OUT_OF_ORDER, STATUS_EVENT, IssueDraft
from extractors.simulation.jira.model import JiraModel
from extractors.simulation.people import People

FIRST_ISSUE_ID = 10_000
FIRST_HISTORY_ID = 9_500
MODEL_FLAGS = frozenset({OUT_OF_ORDER, IMPORTED})  # generator flags the served site needs


def assign_keys(drafts: list[IssueDraft], n_projects: int) -> tuple[list[int], dict[int, list]]:
    """Initial key numbers, and the key history of moved issues (``(since_ms, project, number)``)."""
    happenings = [(d.created_ms, 0, i, d.project) for i, d in enumerate(drafts)]
    happenings += [
        (at, 1, i, to) for i, d in enumerate(drafts) for at, kind, _, to, _ in d.events if kind == MOVE_EVENT
    ]
    happenings.sort()
    counters = [0] * n_projects
    numbers = [0] * len(drafts)
    history: dict[int, list] = {}
    for at, what, i, project in happenings:
        counters[project] += 1
        if what == 0:
            numbers[i] = counters[project]
        else:
            history.setdefault(i, [(drafts[i].created_ms, drafts[i].project, numbers[i])])
            history[i].append((at, project, counters[project]))
    return numbers, history


def history_ids(ev_at: np.ndarray, ev_issue: np.ndarray, ev_seq: np.ndarray, seed: int) -> np.ndarray:
    """Ids increasing with ``(at, issue, position)``, with gaps of 1–3."""
    order = np.lexsort((ev_seq, ev_issue, ev_at))
    gaps = np.random.default_rng(seed + 1).integers(1, 4, size=len(order))
    ids = np.empty(len(order), dtype=np.int64)
    ids[order] = FIRST_HISTORY_ID + np.cumsum(gaps) - gaps[0]
    return ids


def first_start_row(draft: IssueDraft, offset: int) -> int:
    """The event row of the draft's first move into In Progress, or -1."""
    for n, (_, kind, _, to, _) in enumerate(draft.events):
        if kind == STATUS_EVENT and to == IN_PROGRESS:
            return offset + n
    return -1


def build_model(
    config: OrgConfig, projects: tuple[Project, ...], people: People, drafts: list[IssueDraft]
) -> JiraModel:
    """Sort drafts by creation, cut them at the end of the period and assign every id."""
    end = config.end_ms
    kept = [d for d in drafts if d.created_ms < end]
    for d in kept:
        d.truncate(end)
        if any(a[0] > b[0] for a, b in zip(d.events, d.events[1:], strict=False)):
            raise ValueError("a draft's events are not in time order")
    order = sorted(range(len(kept)), key=lambda n: kept[n].created_ms)
    drafts = [kept[n] for n in order]
    index = {id(d): n for n, d in enumerate(drafts)}
    numbers, key_history = assign_keys(drafts, len(projects))

    counts = np.array([len(d.events) for d in drafts], dtype=np.int64)
    offsets = np.concatenate(([0], np.cumsum(counts)))
    flat = [e for d in drafts for e in d.events]
    columns = np.array(flat, dtype=np.int64).reshape(-1, 5)
    ev_issue = np.repeat(np.arange(len(drafts)), counts)
    ev_seq = np.arange(len(flat)) - np.repeat(offsets[:-1], counts)

    assign_row, assigned_ms = [], []
    for n, d in enumerate(drafts):
        row = first_start_row(d, int(offsets[n])) if d.assign_on_start else -1
        assign_row.append(row)
        if d.assignee is None:
            assigned_ms.append(-1)
        elif not d.assign_on_start:
            assigned_ms.append(d.created_ms)
        else:
            assigned_ms.append(flat[row][0] if row >= 0 else -1)

    def ints(values) -> np.ndarray:
        return np.array(list(values), dtype=np.int64)

    return JiraModel(
        config=config,
        projects=projects,
        people=people,
        issue_id=FIRST_ISSUE_ID + np.arange(len(drafts), dtype=np.int64),
        created_ms=ints(d.created_ms for d in drafts),
        project0=ints(d.project for d in drafts),
        number0=ints(numbers),
        type0=ints(d.type_id for d in drafts),
        status0=ints(d.status0 for d in drafts),
        parent=ints(index[id(d.parent)] if d.parent is not None else -1 for d in drafts),
        reporter=ints(d.reporter for d in drafts),
        assignee=ints(-1 if d.assignee is None else d.assignee for d in drafts),
        assigned_ms=ints(assigned_ms),
        assign_row=ints(assign_row),
        priority=ints(d.priority for d in drafts),
        labels=tuple(d.labels for d in drafts),
        summaries=tuple(d.summary for d in drafts),
        story_points=tuple(d.story_points for d in drafts),
        flags={n: frozenset(d.flags & MODEL_FLAGS) for n, d in enumerate(drafts) if d.flags & MODEL_FLAGS},
        milestones={n: d.milestones for n, d in enumerate(drafts) if d.type_id in STORY_LEVEL_TYPES},
        key_history={i: tuple(h) for i, h in key_history.items()},
        ev_offsets=offsets,
        ev_at=columns[:, 0].copy(),
        ev_id=history_ids(columns[:, 0], ev_issue, ev_seq, config.seed),
        ev_kind=columns[:, 1].copy(),
        ev_from=columns[:, 2].copy(),
        ev_to=columns[:, 3].copy(),
        ev_author=columns[:, 4].copy(),
    )
