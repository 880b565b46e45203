"""Generating the organisation's Jira site from its config, deterministically.

1. Planted scenarios (every edge case, at any size).
2. Natural items: arrivals, teams, types, labels, sizes sampled in bulk with numpy; each then walks
   its project's workflow.
3. The automation's stale-backlog sweep (one instant, many items).
4. Delivery milestones; sub-tasks; epics over stories and initiatives over epics.
5. Ids, keys and history ids (:mod:`builder`).
"""

from __future__ import annotations

import random

import numpy as np

from extractors.simulation.config import OrgConfig
from extractors.simulation.jira import catalog as c
from extractors.simulation.jira.automation import sweep_stale_backlog
from extractors.simulation.jira.builder import build_model
from extractors.simulation.jira.drafts import IssueDraft
from extractors.simulation.jira.hierarchy import EPIC_SIZE, INITIATIVE_SIZE, add_parents, add_subtasks
from extractors.simulation.jira.milestones import derive_milestones
from extractors.simulation.jira.model import JiraModel
from extractors.simulation.jira.scenarios import Cast, planted_items, stale_backlog_sweep_ms
from extractors.simulation.jira.texts import summary
from extractors.simulation.jira.walks import team_profiles, walk
from extractors.simulation.people import DEVELOPERS_PER_TEAM, People
from extractors.simulation.timeutil import DAY_MS, HOUR_MS

STORY_LEVEL = np.array(c.STORY_LEVEL_TYPES)  # Story, Task, Bug, Tech Debt
TYPE_SHARES = {c.CUSTOM: (0.55, 0.15, 0.2, 0.1), c.STOCK: (0.3, 0.4, 0.2, 0.1)}
PRIORITY_SHARES = (0.05, 0.2, 0.5, 0.2, 0.05)
STORY_POINTS = np.array([1, 2, 3, 5, 8, 13], dtype=float)
SECURITY_SHARE, TECH_DEBT_SHARE, LONG_BACKLOG_SHARE = 0.04, 0.05, 0.12
PLAIN_LABELS = ("frontend", "backend", "customer-request", "api")


def sample_arrivals(start_ms: int, end_ms: int, n: int, rng: np.random.Generator) -> np.ndarray:
    """Creation instants on weekdays between 07:00 and 17:00 UTC, sorted."""
    first_day = start_ms // DAY_MS
    days = first_day + rng.integers(0, max(1, (end_ms - start_ms) // DAY_MS), size=n)
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday; Monday is 0
    days = days + np.select([weekday == 5, weekday == 6], [2, 1], 0)
    created = days * DAY_MS + 7 * HOUR_MS + rng.integers(0, 10 * HOUR_MS, size=n)
    return np.sort(np.clip(created, start_ms, end_ms - 1))


def team_weights(teams: int) -> np.ndarray:
    weights = 1.0 / (1.0 + 0.3 * np.arange(teams))
    return weights / weights.sum()


def natural_items(
    config: OrgConfig, projects: tuple[c.Project, ...], people: People, n: int, rng: np.random.Generator
) -> list[IssueDraft]:
    """``n`` story-level items with walked histories."""
    created = sample_arrivals(config.start_ms, config.end_ms, n, rng)
    team = rng.choice(config.teams, size=n, p=team_weights(config.teams))
    custom = np.array([projects[t].workflow == c.CUSTOM for t in range(config.teams)])[team]
    u = rng.random(n)
    type_index = np.where(
        custom,
        np.searchsorted(np.cumsum(TYPE_SHARES[c.CUSTOM]), u, side="right"),
        np.searchsorted(np.cumsum(TYPE_SHARES[c.STOCK]), u, side="right"),
    )
    types = STORY_LEVEL[np.minimum(type_index, 3)]
    labelable = np.isin(types, (c.STORY, c.TASK))
    security = labelable & (rng.random(n) < SECURITY_SHARE)
    tech_debt = labelable & (rng.random(n) < TECH_DEBT_SHARE)
    plain = rng.integers(0, 2 * len(PLAIN_LABELS), size=n)
    priority = rng.choice(np.arange(1, 6), size=n, p=PRIORITY_SHARES)
    points = rng.choice(STORY_POINTS, size=n)
    size = np.exp(rng.normal(0.0, 0.45, size=n))
    long_backlog = rng.random(n) < LONG_BACKLOG_SHARE
    developer = rng.integers(0, DEVELOPERS_PER_TEAM, size=n)
    profiles = team_profiles(config.teams, rng)
    walker = random.Random(config.seed * 7919 + 1)
    drafts = []
    for k in range(n):
        t, type_id = int(team[k]), int(types[k])
        labels = tuple(
            name
            for name, on in (
                ("security", security[k]),
                ("tech-debt", tech_debt[k]),
                (PLAIN_LABELS[plain[k] % len(PLAIN_LABELS)], plain[k] < 4),
            )
            if on
        )
        draft = IssueDraft(
            project=t,
            type_id=type_id,
            created_ms=int(created[k]),
            status0=c.INITIAL_STATUS[projects[t].workflow],
            team=t,
            reporter=people.product_managers[t],
            assignee=people.developers[t][int(developer[k])],
            priority=int(priority[k]),
            labels=labels,
            story_points=None if type_id == c.BUG else float(points[k]),
        )
        walk(
            draft,
            projects[t].workflow,
            profiles[t],
            float(size[k]),
            bool(long_backlog[k]),
            walker,
            config.end_ms,
        )
        drafts.append(draft)
    return drafts


def name_issues(drafts: list[IssueDraft]) -> None:
    counters: dict[int, int] = {}
    for d in drafts:
        n = counters[d.type_id] = counters.get(d.type_id, -1) + 1
        d.summary = summary(d.type_id, n)


def generate_jira(config: OrgConfig, people: People) -> JiraModel:
    """The whole Jira site of the organisation."""
    projects = c.build_projects(config.teams)
    rng = np.random.default_rng(config.seed)
    cast = Cast(config, people, projects, random.Random(config.seed * 104_729 + 2))
    planted, stale = planted_items(cast, config.flow_items)
    natural = natural_items(config, projects, people, config.flow_items - len(planted), rng)
    sweepable = [d for d in natural if projects[d.project].workflow == c.CUSTOM] + stale
    sweep_stale_backlog(sweepable, stale_backlog_sweep_ms(config), people.automation)
    stories = planted + natural
    for story in stories:
        story.milestones = derive_milestones(story)
    shaper = random.Random(config.seed * 15_485_863 + 3)
    subtasks = add_subtasks(stories, shaper, config.end_ms)
    epics = add_parents(stories, c.EPIC, EPIC_SIZE, people, shaper, config.start_ms, config.end_ms)
    initiatives = add_parents(
        epics, c.INITIATIVE, INITIATIVE_SIZE, people, shaper, config.start_ms, config.end_ms
    )
    drafts = stories + subtasks + epics + initiatives
    name_issues(drafts)
    return build_model(config, projects, people, drafts)
