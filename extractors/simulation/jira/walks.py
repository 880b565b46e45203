"""Natural item histories: a random walk through the project's workflow.

Each status has a lognormal dwell time (median hours and spread), scaled by the team's speed and
its per-stage habits and by the item's size, and a table of where work goes next: forward,
skipping statuses, back for rework, blocked, on hold, canceled or (rarely) reopened after done.
The walk stops at a terminal status or at the end of the simulated period (items stay open).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import numpy as np

from extractors.simulation.jira import catalog as c
from extractors.simulation.jira.drafts import IssueDraft
from extractors.simulation.jira.mapping import STAGES, STATUS_RULES
from extractors.simulation.timeutil import HOUR_MS, MINUTE_MS

# status: (median hours, sigma of the log)
DWELL: dict[int, tuple[float, float]] = {
    c.BACKLOG: (70, 1.2),
    c.ANALYSIS: (14, 0.8),
    c.READY_FOR_DEV: (40, 1.0),
    c.IN_PROGRESS: (28, 0.9),
    c.BLOCKED: (30, 0.9),
    c.ON_HOLD: (100, 0.6),
    c.READY_FOR_REVIEW: (8, 1.0),
    c.IN_REVIEW: (5, 0.9),
    c.IN_TEST: (12, 0.9),
    c.IN_STAGING: (22, 0.8),
    c.READY_FOR_RELEASE: (30, 0.9),
    c.RELEASING: (1.2, 0.5),
    c.VALIDATING: (45, 0.8),
    c.DONE: (60, 0.8),
    c.OPEN: (60, 1.2),
    c.REOPENED: (12, 0.8),
    c.RESOLVED: (70, 0.7),
    c.CLOSED: (150, 0.6),
}
SIZED = frozenset({c.ANALYSIS, c.IN_PROGRESS, c.IN_REVIEW, c.IN_TEST})
LONG_BACKLOG_FACTOR = 8.0

# status: ((next status, probability), ...); the remainder is "stays here" (terminal)
TRANSITIONS: dict[str, dict[int, tuple[tuple[int, float], ...]]] = {
    c.CUSTOM: {
        c.BACKLOG: (
            (c.ANALYSIS, 0.50),
            (c.READY_FOR_DEV, 0.36),
            (c.IN_PROGRESS, 0.08),
            (c.WONT_DO, 0.045),
            (c.DONE, 0.015),
        ),
        c.ANALYSIS: ((c.READY_FOR_DEV, 0.82), (c.IN_PROGRESS, 0.12), (c.WONT_DO, 0.04), (c.BACKLOG, 0.02)),
        c.READY_FOR_DEV: ((c.IN_PROGRESS, 0.97), (c.WONT_DO, 0.03)),
        c.IN_PROGRESS: (
            (c.READY_FOR_REVIEW, 0.58),
            (c.IN_REVIEW, 0.14),
            (c.BLOCKED, 0.13),
            (c.ON_HOLD, 0.03),
            (c.IN_TEST, 0.04),
            (c.DONE, 0.04),
            (c.READY_FOR_RELEASE, 0.02),
            (c.WONT_DO, 0.02),
        ),
        c.BLOCKED: ((c.IN_PROGRESS, 0.95), (c.WONT_DO, 0.05)),
        c.ON_HOLD: ((c.IN_PROGRESS, 0.9), (c.WONT_DO, 0.1)),
        c.READY_FOR_REVIEW: ((c.IN_REVIEW, 1.0),),
        c.IN_REVIEW: (
            (c.IN_TEST, 0.52),
            (c.IN_PROGRESS, 0.2),
            (c.READY_FOR_RELEASE, 0.14),
            (c.IN_STAGING, 0.1),
            (c.DONE, 0.04),
        ),
        c.IN_TEST: (
            (c.READY_FOR_RELEASE, 0.42),
            (c.IN_STAGING, 0.28),
            (c.IN_PROGRESS, 0.15),
            (c.DONE, 0.1),
            (c.RELEASING, 0.05),
        ),
        c.IN_STAGING: ((c.READY_FOR_RELEASE, 0.75), (c.RELEASING, 0.2), (c.IN_PROGRESS, 0.05)),
        c.READY_FOR_RELEASE: ((c.RELEASING, 1.0),),
        c.RELEASING: ((c.VALIDATING, 0.62), (c.DONE, 0.38)),
        c.VALIDATING: ((c.DONE, 0.97), (c.IN_PROGRESS, 0.03)),
        c.DONE: ((c.IN_PROGRESS, 0.05),),
        c.WONT_DO: (),
    },
    c.STOCK: {
        c.OPEN: ((c.IN_PROGRESS, 0.93), (c.CLOSED, 0.04), (c.RESOLVED, 0.03)),
        c.IN_PROGRESS: ((c.RESOLVED, 0.88), (c.OPEN, 0.07), (c.CLOSED, 0.05)),
        c.REOPENED: ((c.IN_PROGRESS, 1.0),),
        c.RESOLVED: ((c.CLOSED, 0.55), (c.REOPENED, 0.07)),
        c.CLOSED: ((c.REOPENED, 0.02),),
    },
}
REOPEN_TARGETS = frozenset({c.IN_PROGRESS, c.REOPENED})
DONE_STATUSES = frozenset({c.DONE, c.RESOLVED, c.CLOSED})
DEVELOPER_TARGETS = frozenset(
    {
        c.IN_PROGRESS,
        c.BLOCKED,
        c.READY_FOR_REVIEW,
        c.IN_REVIEW,
        c.IN_TEST,
        c.IN_STAGING,
        c.READY_FOR_RELEASE,
        c.RELEASING,
        c.VALIDATING,
        c.RESOLVED,
    }
)
MAX_CHANGES = 40
STAGE_OF = {rule.status_id: rule.stage for rule in STATUS_RULES}


@dataclass(frozen=True)
class TeamProfile:
    """How fast a team is overall and in each stage (multipliers on the dwell medians)."""

    speed: float
    stage_factor: dict[str, float]


def team_profiles(teams: int, rng: np.random.Generator) -> list[TeamProfile]:
    speeds = np.exp(rng.normal(0.0, 0.3, size=teams))
    factors = np.exp(rng.normal(0.0, 0.45, size=(teams, len(STAGES))))
    return [
        TeamProfile(float(speeds[t]), dict(zip(STAGES, map(float, factors[t]), strict=True)))
        for t in range(teams)
    ]


def choose(options: tuple[tuple[int, float], ...], u: float) -> int | None:
    """The option ``u`` (uniform in [0, 1)) lands on, or None for the remainder."""
    total = 0.0
    for target, p in options:
        total += p
        if u < total:
            return target
    return None


def dwell_ms(status: int, profile: TeamProfile, size: float, long_backlog: bool, rng: random.Random) -> int:
    median, sigma = DWELL[status]
    hours = median * profile.speed * profile.stage_factor.get(STAGE_OF.get(status) or "", 1.0)
    if status in SIZED:
        hours *= size
    if long_backlog and status in (c.BACKLOG, c.OPEN):
        hours *= LONG_BACKLOG_FACTOR
    hours *= math.exp(rng.gauss(0.0, sigma))
    return max(MINUTE_MS, int(hours * HOUR_MS))


def walk(
    draft: IssueDraft,
    workflow: str,
    profile: TeamProfile,
    size: float,
    long_backlog: bool,
    rng: random.Random,
    end_ms: int,
) -> None:
    """Append a natural status history to a freshly created draft."""
    table = TRANSITIONS[workflow]
    t, status, reopened = draft.created_ms, draft.status0, False
    while len(draft.events) < MAX_CHANGES:
        options = table[status]
        if status in DONE_STATUSES and reopened:
            options = tuple(o for o in options if o[0] not in REOPEN_TARGETS)
        target = choose(options, rng.random())
        if target is None:
            return
        t += dwell_ms(status, profile, size, long_backlog, rng)
        if t >= end_ms:
            return
        reopened = reopened or (status in DONE_STATUSES and target in REOPEN_TARGETS)
        author = draft.assignee if target in DEVELOPER_TARGETS else draft.reporter
        draft.go(t, target, draft.reporter if author is None else author)
        status = target
