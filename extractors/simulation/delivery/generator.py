"""Generating the organisation's delivery side from its Jira site, deterministically.

1. Plans: which items deploy on demand, each repository's deploy cuts, then a pull-request plan per
   story-level item with a development start (:mod:`.plan`), weekly dependabot bumps and direct pushes.
2. Each repository's history, event by event, with the planted scenarios (:mod:`.history`,
   :mod:`.scenarios`).
3. GitHub's bookkeeping: ``inactive`` statuses for superseded deployments, ids in creation order.
4. Incidents: the planted ones, natural ones after deployments, background ones (:mod:`.incidents`).
"""

from __future__ import annotations

import random

import numpy as np

from extractors.simulation.config import OrgConfig
from extractors.simulation.delivery import scenarios
from extractors.simulation.delivery.catalog import REPOSITORIES
from extractors.simulation.delivery.history import RepoSimulator
from extractors.simulation.delivery.identities import developer_accounts
from extractors.simulation.delivery.incidents import assign_incident_ids, natural_incidents
from extractors.simulation.delivery.model import DeliveryModel, DeploymentStatus, RepoHistory
from extractors.simulation.delivery.plan import WorkPlanner, dependabot_plans, direct_pushes, sec
from extractors.simulation.delivery.schedule import plan_cuts
from extractors.simulation.jira.model import JiraModel
from extractors.simulation.people import People
from extractors.simulation.timeutil import DAY_MS

INITIAL_IMPORT_BEFORE_MS = 2 * DAY_MS


def generate_delivery(config: OrgConfig, people: People, jira: JiraModel) -> DeliveryModel:
    developers = developer_accounts(people, config.seed)
    planner = WorkPlanner(config, jira, people, developers)
    items = planner.items()
    on_demand = planner.on_demand(items)
    cuts = {r.index: plan_cuts(r, config.start_ms, config.end_ms, on_demand[r.index]) for r in REPOSITORIES}
    plans = planner.feature_plans(items, {i: [c.ms for c in cs] for i, cs in cuts.items()})
    histories, incidents = [], []
    np_rng = np.random.default_rng([config.seed, 0x1C1])
    for repo in REPOSITORIES:
        rng = random.Random(f"{config.seed}:delivery:{repo.name}")
        team = planner.team_accounts(repo.index)
        sim = RepoSimulator(repo, config, team, rng)
        scenarios.install(sim)
        mine = [p for p in plans if p.repo is repo]
        first = min([config.start_ms, *(p.commits[0][0] for p in mine)])
        sim.at(sec(first - INITIAL_IMPORT_BEFORE_MS), sim.initial, team[0])
        for plan in mine + dependabot_plans(config, team, repo, rng):
            sim.add_pull(plan)
        for push in direct_pushes(config, team, repo, rng):
            sim.at(push.ms, sim.direct, push)
        for cut in cuts[repo.index]:
            sim.at(cut.ms, sim.cut, cut)
        history = sim.run()
        histories.append(history)
        incidents += sim.incidents
        incidents += natural_incidents(
            config, history, sim.deploy_pulls, set(sim.scenario_deployments), team, np_rng
        )
    for history in histories:
        mark_inactive(history)
    assign_ids(histories)
    assign_incident_ids(incidents, config.seed)
    return DeliveryModel(tuple(histories), incidents, developers, config.start_ms, config.end_ms)


def mark_inactive(history: RepoHistory) -> None:
    """GitHub marks a deployment ``inactive`` when a later one to the same environment succeeds."""
    by_env: dict[str, list] = {}
    for d in history.deployments:
        if d.succeeded and not d.transient:
            by_env.setdefault(d.environment, []).append(d)
    for deployments in by_env.values():
        deployments.sort(key=lambda d: (d.finished_ms, d.created_ms))
        for older, newer in zip(deployments, deployments[1:], strict=False):
            older.statuses.append(DeploymentStatus("inactive", newer.finished_ms, ""))


def assign_ids(histories: list[RepoHistory]) -> None:
    """GitHub ids follow creation order across repositories; run numbers count per workflow."""

    def number(items, key, base: int, stride: int, attr: str = "id") -> None:
        for k, item in enumerate(sorted(items, key=key)):
            setattr(item, attr, base + k * stride)

    pulls = [p for h in histories for p in h.pulls]
    number(pulls, lambda p: (p.created_ms, p.repo, p.number), 1_803_000_000, 37)
    reviews = [(p, r) for p in pulls for r in p.reviews]
    for k, (_, r) in enumerate(sorted(reviews, key=lambda pr: (pr[1].submitted_ms, pr[0].id))):
        r.id = 2_104_000_000 + k * 13
    deployments = [d for h in histories for d in h.deployments]
    number(deployments, lambda d: (d.created_ms, d.repo, d.environment), 1_902_000_000, 7)
    statuses = [(d, s) for d in deployments for s in d.statuses]
    for k, (_, s) in enumerate(sorted(statuses, key=lambda ds: (ds[1].ms, ds[0].id, ds[1].state))):
        s.id = 4_300_000_000 + k * 3
    runs = [r for h in histories for r in h.runs]
    number(runs, lambda r: (r.created_ms, r.repo, r.name, r.head_sha), 9_100_000_000, 11)
    for h in histories:
        counters: dict[str, int] = {}
        for run in sorted(h.runs, key=lambda r: r.id):
            counters[run.name] = counters.get(run.name, 0) + 1
            run.run_number = counters[run.name]
    tags = [t for h in histories for t in h.tags]
    number(tags, lambda t: (t.ms, t.repo, t.name), 150_000_000, 3, "release_id")
