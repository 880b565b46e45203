"""Scripted items that plant every edge case, whatever the organisation's size.

Each scenario writes one or a few story-level drafts with an exact history, anchored to a fraction
of the simulated period or to a fixed date of the site (the QA → In Test rename, the In Staging
mapping change, the user zone's DST change); a fixed-date scenario is skipped when its date is not
well inside the period. Which edge cases an item shows is read off its timeline later, by the
ground truth; the scripts only make sure each one happens.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from extractors.simulation.config import OrgConfig
from extractors.simulation.jira import catalog as c
from extractors.simulation.jira.drafts import IMPORTED, NO_SUBTASKS, OUT_OF_ORDER, WITH_SUBTASKS, IssueDraft
from extractors.simulation.jira.mapping import IN_STAGING_MOVED_ON
from extractors.simulation.jira.walks import DEVELOPER_TARGETS
from extractors.simulation.people import People
from extractors.simulation.timeutil import DAY_MS, HOUR_MS, MINUTE_MS, dst_transitions, utc_midnight_ms

PAY, MOB, PLAT = 0, 1, 2
STALE_BACKLOG_SWEEP_AT = 0.6  # fraction of the period; the bot cancels stale backlog items at 02:00 UTC


@dataclass
class Cast:
    """What scenarios need: the config, the people, the projects and a jitter source."""

    config: OrgConfig
    people: People
    projects: tuple[c.Project, ...]
    rng: random.Random

    def day(self, fraction: float, hour: float = 9) -> int:
        """A working-day instant ``fraction`` of the way through the period (plus a jitter)."""
        start, end = self.config.start_ms, self.config.end_ms
        midnight = (start + int(fraction * (end - start))) // DAY_MS * DAY_MS
        return midnight + int(hour * HOUR_MS) + self.rng.randrange(0, 30 * MINUTE_MS)

    def inside(self, ms: int, before_days: float, after_days: float) -> bool:
        return self.config.start_ms + before_days * DAY_MS <= ms <= self.config.end_ms - after_days * DAY_MS

    def draft(self, project: int, type_id: int, created_ms: int, labels: tuple[str, ...] = ()) -> IssueDraft:
        team = project
        return IssueDraft(
            project=project,
            type_id=type_id,
            created_ms=created_ms,
            status0=c.INITIAL_STATUS[self.projects[project].workflow],
            team=team,
            reporter=self.people.product_managers[team],
            assignee=self.people.developers[team][0],
            priority=3,
            labels=labels,
            story_points=3.0,
        )


class Script:
    """Writes a draft's history step by step: ``then(hours, status)`` after the previous change."""

    def __init__(self, cast: Cast, draft: IssueDraft):
        self.cast, self.draft, self.t = cast, draft, draft.created_ms

    def _author(self, status: int, by: int | None) -> int:
        if by is not None:
            return by
        developer = self.draft.assignee if self.draft.assignee is not None else self.draft.reporter
        return developer if status in DEVELOPER_TARGETS else self.draft.reporter

    def then(self, hours: float, status: int, by: int | None = None) -> Script:
        return self.at(self.t + int(hours * HOUR_MS) + self.cast.rng.randrange(1, MINUTE_MS), status, by)

    def at(self, ms: int, status: int, by: int | None = None) -> Script:
        self.t = ms
        self.draft.go(ms, status, self._author(status, by))
        return self

    def now(self, status: int, by: int | None = None) -> Script:
        """Another change in the very same millisecond."""
        return self.at(self.t, status, by)

    def steps(self, *steps: tuple[float, int]) -> Script:
        for hours, status in steps:
            self.then(hours, status)
        return self

    def retype(self, hours: float, type_id: int) -> Script:
        self.t += int(hours * HOUR_MS) + self.cast.rng.randrange(1, MINUTE_MS)
        self.draft.retype(self.t, type_id, self.draft.reporter)
        return self

    def move(self, hours: float, project: int) -> Script:
        self.t += int(hours * HOUR_MS) + self.cast.rng.randrange(1, MINUTE_MS)
        self.draft.move(self.t, project, self.draft.reporter)
        return self


FULL_PATH = (
    (40, c.ANALYSIS),
    (18, c.READY_FOR_DEV),
    (30, c.IN_PROGRESS),
    (50, c.READY_FOR_REVIEW),
    (6, c.IN_REVIEW),
    (5, c.IN_TEST),
    (20, c.READY_FOR_RELEASE),
    (24, c.RELEASING),
    (1, c.VALIDATING),
    (30, c.DONE),
)


def reopened(cast: Cast) -> list[IssueDraft]:
    d = cast.draft(PAY, c.STORY, cast.day(0.08))
    d.flags.add(WITH_SUBTASKS)
    Script(cast, d).steps(*FULL_PATH, (72, c.IN_PROGRESS), (20, c.IN_REVIEW), (4, c.DONE))
    return [d]


def skipped_status(cast: Cast) -> list[IssueDraft]:
    d = cast.draft(MOB, c.TASK, cast.day(0.12, 10), labels=("tech-debt",))
    Script(cast, d).steps((20, c.IN_PROGRESS), (16, c.DONE))
    return [d]


def rework(cast: Cast) -> list[IssueDraft]:
    d = cast.draft(PAY, c.STORY, cast.day(0.16, 8), labels=("backend",))
    d.flags.add(WITH_SUBTASKS)
    Script(cast, d).steps(
        (30, c.READY_FOR_DEV),
        (20, c.IN_PROGRESS),
        (30, c.READY_FOR_REVIEW),
        (5, c.IN_REVIEW),
        (4, c.IN_PROGRESS),
        (12, c.READY_FOR_REVIEW),
        (3, c.IN_REVIEW),
        (3, c.IN_TEST),
        (8, c.IN_PROGRESS),
        (10, c.IN_REVIEW),
        (2, c.IN_TEST),
        (6, c.READY_FOR_RELEASE),
        (20, c.RELEASING),
        (1, c.DONE),
    )
    return [d]


def renamed_status(cast: Cast) -> list[IssueDraft]:
    """In Test (then still called QA) entered before the rename and left after it."""
    rename = utc_midnight_ms(c.IN_TEST_RENAMED_ON)
    if not cast.inside(rename, 14, 20):
        return []
    d = cast.draft(MOB, c.STORY, rename - 12 * DAY_MS + 9 * HOUR_MS)
    (
        Script(cast, d)
        .steps((30, c.READY_FOR_DEV), (24, c.IN_PROGRESS), (40, c.IN_REVIEW))
        .at(rename - 3 * DAY_MS + 10 * HOUR_MS, c.IN_TEST)
        .at(rename + 2 * DAY_MS + 5 * HOUR_MS, c.READY_FOR_RELEASE)
        .steps((20, c.RELEASING), (1, c.DONE))
    )
    return [d]


def mapping_changed(cast: Cast) -> list[IssueDraft]:
    """In Staging entered before (Review) and after (Deploy) the mapping change."""
    change = utc_midnight_ms(IN_STAGING_MOVED_ON)
    if not cast.inside(change, 16, 20):
        return []
    d = cast.draft(PAY, c.STORY, change - 14 * DAY_MS + 9 * HOUR_MS)
    (
        Script(cast, d)
        .steps(
            (20, c.ANALYSIS),
            (24, c.READY_FOR_DEV),
            (24, c.IN_PROGRESS),
            (40, c.READY_FOR_REVIEW),
            (4, c.IN_REVIEW),
        )
        .at(change - 4 * DAY_MS + 11 * HOUR_MS, c.IN_STAGING)
        .at(change - 2 * DAY_MS + 14 * HOUR_MS, c.IN_PROGRESS)
        .steps((10, c.READY_FOR_REVIEW), (3, c.IN_REVIEW))
        .at(change + 3 * DAY_MS + 10 * HOUR_MS, c.IN_STAGING)
        .steps((26, c.READY_FOR_RELEASE), (20, c.RELEASING), (2, c.VALIDATING), (30, c.DONE))
    )
    return [d]


def moved_project(cast: Cast) -> list[IssueDraft]:
    """Moved from PAY to MOB while in progress: a new key, the same id."""
    d = cast.draft(PAY, c.STORY, cast.day(0.2))
    d.flags.add(NO_SUBTASKS)
    (
        Script(cast, d)
        .steps((20, c.ANALYSIS), (16, c.READY_FOR_DEV), (20, c.IN_PROGRESS))
        .move(12, MOB)
        .steps(
            (30, c.READY_FOR_REVIEW),
            (4, c.IN_REVIEW),
            (6, c.IN_TEST),
            (10, c.READY_FOR_RELEASE),
            (20, c.RELEASING),
            (1, c.DONE),
        )
    )
    return [d]


def type_changed(cast: Cast) -> list[IssueDraft]:
    """Story → Bug once before completion (a Defect at completion) and once after it (still a Feature)."""
    before = cast.draft(MOB, c.STORY, cast.day(0.3))
    (
        Script(cast, before)
        .steps((24, c.READY_FOR_DEV), (30, c.IN_PROGRESS))
        .retype(10, c.BUG)
        .steps((20, c.IN_REVIEW), (5, c.IN_TEST), (6, c.DONE))
    )
    after = cast.draft(PAY, c.STORY, cast.day(0.25, 10))
    (
        Script(cast, after)
        .steps(
            (20, c.ANALYSIS),
            (20, c.READY_FOR_DEV),
            (20, c.IN_PROGRESS),
            (30, c.IN_REVIEW),
            (6, c.READY_FOR_RELEASE),
            (18, c.RELEASING),
            (1, c.DONE),
        )
        .retype(240, c.BUG)
    )
    return [before, after]


def equal_timestamps(cast: Cast) -> list[IssueDraft]:
    """Two pairs of changes in one millisecond: a Review → Dev → Review bounce and a forward hop."""
    d = cast.draft(MOB, c.STORY, cast.day(0.35))
    bot = cast.people.automation
    (
        Script(cast, d)
        .steps((20, c.READY_FOR_DEV), (20, c.IN_PROGRESS), (30, c.READY_FOR_REVIEW), (4, c.IN_REVIEW))
        .then(6, c.IN_PROGRESS)
        .now(c.IN_REVIEW)
        .then(5, c.IN_TEST)
        .then(8, c.READY_FOR_RELEASE, by=bot)
        .now(c.RELEASING, by=bot)
        .then(2, c.DONE)
    )
    return [d]


def out_of_order(cast: Cast) -> list[IssueDraft]:
    """Many histories, which bulkfetch serves shuffled."""
    d = cast.draft(PAY, c.STORY, cast.day(0.4))
    d.flags.add(OUT_OF_ORDER)
    Script(cast, d).steps(
        (30, c.ANALYSIS),
        (10, c.READY_FOR_DEV),
        (30, c.IN_PROGRESS),
        (10, c.BLOCKED),
        (20, c.IN_PROGRESS),
        (20, c.READY_FOR_REVIEW),
        (3, c.IN_REVIEW),
        (5, c.IN_TEST),
        (12, c.IN_STAGING),
        (20, c.READY_FOR_RELEASE),
        (10, c.RELEASING),
        (1, c.VALIDATING),
        (40, c.DONE),
    )
    return [d]


def clock_skew(cast: Cast) -> list[IssueDraft]:
    """The first change is stamped 90 s before the issue's creation."""
    d = cast.draft(MOB, c.STORY, cast.day(0.45))
    (
        Script(cast, d)
        .at(d.created_ms - 90_417, c.ANALYSIS)
        .steps((20, c.READY_FOR_DEV), (20, c.IN_PROGRESS), (30, c.IN_REVIEW), (4, c.DONE))
    )
    return [d]


def dst_crossing(cast: Cast) -> list[IssueDraft]:
    """An In Progress interval spanning the user zone's DST change (absolute time, not wall time)."""
    changes = [
        t
        for t in dst_transitions(cast.config.zone, cast.config.start_ms, cast.config.end_ms)
        if cast.inside(t, 10, 5)
    ]
    if not changes:
        return []
    change = changes[0]
    d = cast.draft(MOB, c.STORY, change - 5 * DAY_MS + 9 * HOUR_MS)
    (
        Script(cast, d)
        .then(24, c.READY_FOR_DEV)
        .at(change - 90 * MINUTE_MS + 1_234, c.IN_PROGRESS)
        .at(change + 150 * MINUTE_MS + 567, c.IN_REVIEW)
        .steps((4, c.IN_TEST), (6, c.DONE))
    )
    return [d]


def open_at_end(cast: Cast) -> list[IssueDraft]:
    end = cast.config.end_ms
    d = cast.draft(PAY, c.STORY, end - 12 * DAY_MS + 9 * HOUR_MS)
    Script(cast, d).steps((24, c.ANALYSIS), (24, c.READY_FOR_DEV)).at(end - 4 * DAY_MS + 3_210, c.IN_PROGRESS)
    return [d]


def truncated_history(cast: Cast) -> list[IssueDraft]:
    """Imported issues older than the period, without a changelog: one in progress, one done."""
    drafts = []
    for project, type_id, days, status in ((PAY, c.STORY, 150, c.IN_PROGRESS), (MOB, c.TASK, 200, c.DONE)):
        d = cast.draft(project, type_id, cast.config.start_ms - days * DAY_MS + 11 * HOUR_MS + 345)
        d.status0, d.assign_on_start = status, False
        d.flags.update({IMPORTED, NO_SUBTASKS})
        drafts.append(d)
    return drafts


def canceled(cast: Cast) -> list[IssueDraft]:
    d = cast.draft(PAY, c.STORY, cast.day(0.5))
    Script(cast, d).steps((30, c.ANALYSIS), (20, c.READY_FOR_DEV), (60, c.WONT_DO))
    return [d]


def closed_from_backlog(cast: Cast) -> list[IssueDraft]:
    d = cast.draft(MOB, c.BUG, cast.day(0.55))
    d.story_points = None
    Script(cast, d).then(48, c.DONE)
    return [d]


def on_hold(cast: Cast) -> list[IssueDraft]:
    """On Hold inside a Dev visit; two rule labels (security wins over tech-debt)."""
    d = cast.draft(MOB, c.STORY, cast.day(0.65), labels=("security", "tech-debt"))
    Script(cast, d).steps(
        (20, c.READY_FOR_DEV),
        (20, c.IN_PROGRESS),
        (16, c.ON_HOLD),
        (120, c.IN_PROGRESS),
        (20, c.READY_FOR_REVIEW),
        (5, c.IN_REVIEW),
        (20, c.DONE),
    )
    return [d]


def resolved_then_closed(cast: Cast) -> list[IssueDraft]:
    """Stock workflow: Resolved → Closed (done → done), and a reopen through Reopened."""
    simple = cast.draft(PLAT, c.TASK, cast.day(0.7))
    Script(cast, simple).steps((30, c.IN_PROGRESS), (40, c.RESOLVED), (96, c.CLOSED))
    reopen = cast.draft(PLAT, c.STORY, cast.day(0.75))
    Script(cast, reopen).steps(
        (20, c.IN_PROGRESS),
        (30, c.RESOLVED),
        (48, c.REOPENED),
        (6, c.IN_PROGRESS),
        (12, c.RESOLVED),
        (60, c.CLOSED),
    )
    return [simple, reopen]


def stale_backlog(cast: Cast) -> list[IssueDraft]:
    """Items left in the backlog long enough for the bot's bulk sweep to cancel them."""
    sweep = stale_backlog_sweep_ms(cast.config)
    drafts = []
    for project, type_id, days in (
        (PAY, c.STORY, 45),
        (MOB, c.TASK, 30),
        (PAY, c.BUG, 21),
        (MOB, c.STORY, 16),
    ):
        created = max(cast.config.start_ms + DAY_MS, sweep - days * DAY_MS) + cast.rng.randrange(HOUR_MS)
        drafts.append(cast.draft(project, type_id, created))
    return drafts


def stale_backlog_sweep_ms(config: OrgConfig) -> int:
    """The instant (02:00:00.000 UTC) of the automation's stale-backlog sweep."""
    start, end = config.start_ms, config.end_ms
    return (start + int(STALE_BACKLOG_SWEEP_AT * (end - start))) // DAY_MS * DAY_MS + 2 * HOUR_MS


SCENARIOS: tuple[Callable[[Cast], list[IssueDraft]], ...] = (
    reopened,
    skipped_status,
    rework,
    renamed_status,
    mapping_changed,
    moved_project,
    type_changed,
    equal_timestamps,
    out_of_order,
    clock_skew,
    dst_crossing,
    open_at_end,
    truncated_history,
    canceled,
    closed_from_backlog,
    on_hold,
    resolved_then_closed,
    stale_backlog,
)


def planted_items(cast: Cast, limit: int) -> tuple[list[IssueDraft], list[IssueDraft]]:
    """Scripted drafts (at most ``limit``), and those of them the stale-backlog sweep should catch."""
    drafts, stale = [], []
    for scenario in SCENARIOS:
        made = scenario(cast)[: max(0, limit - len(drafts))]
        drafts += made
        if scenario is stale_backlog:
            stale += made
    return drafts, stale
