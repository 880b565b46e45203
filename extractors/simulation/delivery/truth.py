"""The delivery ground truth: DORA facts read off the generator's own model (never off payloads),
following SPEC §4 and the readings of the dbt models (``models/*/delivery``).

* **Deployment**: GitHub deployment records grouped per workflow run and environment (GitHub
  Actions creates a record per job attempt: a re-run is not another deployment), other records
  alone. The representative record is the latest successful one (else the latest); its id is the
  deployment's ``id``, ``deployment_key`` is ``<github source>:deployment:<id>``. A record's status
  is its latest status other than ``inactive`` (``success`` when it only shows ``inactive``);
  ``finished_at`` is the first status in that final state; ``started_at`` the group's earliest record.
* **Production deployment**: production tier (``production``, ``prod-eu``) and successful by
  ``as_of``. One stream per service, every production environment together, ordered by
  ``(finished_at, started_at, deployment key)``.
* **Change set**: commits reachable from the deployment's SHA and not from the previous production
  deployment's (``git rev-list <sha> ^<previous>``). ``first_deployed_shas``: those no earlier
  deployment of the stream reached; they are disjoint per service and differ from the change set
  only after a rollback (the next deployment lists the rolled-back commits again).
* **Redeploy / rollback** (per environment): a redeploy ships a SHA already deployed successfully
  to that environment; a rollback is a redeploy whose previous deployment there had another SHA; it
  rolls back every deployment made to the environment since the last one of its SHA.
* **Change**: a pull request (its listed commits, its merge or squash commit, the copies a rebase
  merge wrote) or a commit pushed without one; deployed by the earliest production deployment that
  first shipped any of its commits. ``first_commit_at``: the earliest author date of the PR's own
  commits as listed (rebased commits keep theirs), or the commit's own.
* **PR breakdown** (merged PRs): coding = first commit → opened; pickup = ready for review (the
  ``ready_for_review`` timeline event of a draft, else opened) → first review by neither the author
  nor a bot; review = that review → merged; deploy = merged → the change's deployment.
* **Failure links**, per incident the first method (in the given precedence) that finds a
  production deployment of the incident's service gives all its links: ``explicit`` (the text names
  ``deployment <id>`` of any record), ``root_cause_sha`` (a note names a commit: the deployment that
  first shipped it), ``revert`` (a deployment that first shipped a revert finished while the incident
  was open: the deployment that first shipped the reverted commit, if it finished before the incident),
  ``rollback`` (a rollback finished while it was open: the deployments it rolled back that finished
  before the incident), ``nearest_preceding`` (the latest production deployment finished at or before
  it). Independently, every deployed revert and every rollback fails what it undid (remediation links,
  no incident). Change fail rate counts distinct deployments with a link.
* **Rework**: hotfix (ref or a first-shipped PR named ``hotfix``), rollback, revert (first ships a
  revert commit), incident fix (finished while an incident of the service was open that was resolved
  within ``incident_fix_window`` after it).
"""

from __future__ import annotations

import heapq
import re
from bisect import bisect_right
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from extractors.simulation.delivery.catalog import PRODUCTION, REPOSITORIES, environment_tier
from extractors.simulation.delivery.model import (
    HOTFIX,
    MERGE_COMMIT,
    REBASED,
    SQUASH_COMMIT,
    Commit,
    DeliveryModel,
    Deployment,
    Incident,
    PullRequest,
    RepoHistory,
    render_text,
)
from extractors.simulation.timeutil import from_ms, to_ms

KEY_PATTERN = re.compile(r"(?:^|[^A-Za-z0-9])([A-Z][A-Z0-9]+-[0-9]+)")
HOTFIX_PATTERN = re.compile(r"(^|[^a-z0-9])hot-?fix", re.IGNORECASE)
EXPLICIT, ROOT_CAUSE, REVERT, ROLLBACK, NEAREST = (
    "explicit",
    "root_cause_sha",
    "revert",
    "rollback",
    "nearest_preceding",
)
ATTRIBUTION_METHODS = (EXPLICIT, ROOT_CAUSE, REVERT, ROLLBACK, NEAREST)  # failure_attribution_methods.csv
MANY_COMMITS = 40
DELIVERY_EDGE_CASES = (
    "rebased_commit",
    "squash_merge",
    "merge_commit",
    "rebase_merge",
    "revert",
    "hotfix",
    "rollback",
    "redeploy_old_sha",
    "failed_deployment",
    "flaky_rerun",
    "several_environments",
    "many_commits_deployment",
    "incident_no_cause",
    "incident_two_deployments",
    "bot_pr",
    "draft_pr",
    "tiny_sample",
    "no_issue_key",
    "bot_review",
    "author_self_review",
    "force_pushed",
    "inactive_status",
)


def when(ms: int | None) -> datetime | None:
    return None if ms is None else from_ms(ms)


def issue_keys(*texts: str | None) -> tuple[str, ...]:
    """Issue keys (``PROJECT-123``, upper case) named in the texts, once each, in order."""
    return tuple(dict.fromkeys(k for t in texts if t for k in KEY_PATTERN.findall(t)))


@dataclass(frozen=True)
class TrueCommit:
    sha: str
    repository: str
    parents: tuple[str, ...]
    author_login: str
    author_at: datetime
    committer_at: datetime
    is_merge: bool
    is_bot: bool
    issue_keys: tuple[str, ...]  # keys named in the message
    pull_request_number: int | None  # the PR whose work it is
    issue_id: str | None  # the Jira item the generator made it for
    in_clone: bool  # reachable from a branch or tag of the clone as of as_of
    deployment_id: int | None  # the production deployment that first shipped it
    edge_cases: frozenset[str]


@dataclass(frozen=True)
class TruePullRequest:
    repository: str
    number: int
    id: int
    kind: str  # feature, bot, revert, hotfix, fix
    title: str
    head_ref: str
    author_login: str
    is_bot: bool
    issue_id: str | None  # the Jira item the generator made it for
    issue_keys: tuple[str, ...]  # keys in the branch name (any case) and the title
    state: str  # open, closed, merged
    created_at: datetime
    ready_at: datetime | None  # drafts: the ready_for_review event; others: created_at
    first_commit_at: datetime | None
    first_review_at: datetime | None  # first review by neither the author nor a bot
    merged_at: datetime | None
    closed_at: datetime | None
    merge_commit_sha: str | None
    merge_method: str | None
    commit_shas: tuple[str, ...]  # as GET …/pulls/{n}/commits lists them
    deployment_id: int | None
    deployed_at: datetime | None
    coding_seconds: float | None
    pickup_seconds: float | None
    review_seconds: float | None
    deploy_seconds: float | None
    edge_cases: frozenset[str]


@dataclass(frozen=True)
class TrueDeployment:
    id: int  # the representative record's GitHub id
    deployment_key: str  # <github source>:deployment:<id>, as the marts name it
    record_ids: tuple[int, ...]  # every GitHub deployment record of the group
    repository: str
    service: str
    environment: str
    tier: str
    sha: str
    ref: str
    kind: str  # train, on_demand, hotfix, rollback, redeploy, staging, qa, preview
    status: str  # success, failure, in_progress, queued, pending
    latest_state: str  # GitHub's latest status (inactive included)
    succeeded: bool
    is_production: bool  # counted by DORA: production tier and successful
    started_at: datetime
    finished_at: datetime | None
    run_id: int | None
    attempt_count: int
    previous_deployment_id: int | None  # the previous production deployment of the service
    is_redeploy: bool
    is_rollback: bool
    rolled_back_ids: tuple[int, ...]
    is_hotfix: bool
    rework_reasons: frozenset[str]  # hotfix, rollback, revert, incident_fix
    change_set: tuple[str, ...]  # newest first
    first_deployed_shas: tuple[str, ...]
    edge_cases: frozenset[str]


@dataclass(frozen=True)
class TrueChange:
    change_id: str  # "<owner/repo>#<number>" for a PR, "<owner/repo>@<sha>" for a commit
    repository: str
    service: str
    pull_request_number: int | None
    shas: tuple[str, ...]  # its commits in production change sets (first shipped here or later)
    is_bot: bool
    first_commit_at: datetime
    deployment_id: int
    deployed_at: datetime
    lead_time_seconds: float
    is_first_deployment_of_service: bool


@dataclass(frozen=True)
class TrueFailureLink:
    deployment_id: int
    method: str
    incident_id: str | None  # None: a remediation link (a revert or rollback undid the deployment)
    remediation_deployment_id: int | None
    evidence: str
    recovery_seconds: float | None  # deployment finished → incident resolved


@dataclass(frozen=True)
class TrueIncident:
    id: str
    number: int
    service_id: str
    service: str
    repository: str
    title: str
    urgency: str
    status: str
    created_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    deployment_ids: tuple[int, ...]
    attribution_method: str | None
    recovery_from_incident_seconds: float | None
    scenario: str
    edge_cases: frozenset[str]


@dataclass(frozen=True)
class TrueDeliveryItem:
    issue_id: str
    issue_keys: tuple[str, ...]  # the keys its links used (old keys of moved issues among them)
    pull_requests: tuple[tuple[str, int], ...]  # (repository, number): a key in the branch or title
    link_methods: frozenset[str]  # branch, pr_title, commit_message
    commit_shas: tuple[str, ...]  # commits whose message names a key
    first_commit_at: datetime | None  # the earliest author date of those and of the linked PRs' commits
    first_deployment_id: int | None
    first_deployed_at: datetime | None


class DeliveryTruth:
    """Ground truth of the delivery side as of one instant."""

    def __init__(self, as_of, commits, pull_requests, deployments, changes, incidents, links, items):
        self.as_of: datetime = as_of
        self.commits: dict[str, TrueCommit] = commits
        self.pull_requests: dict[tuple[str, int], TruePullRequest] = pull_requests
        self.deployments: dict[int, TrueDeployment] = deployments
        self.changes: dict[str, TrueChange] = changes
        self.incidents: dict[str, TrueIncident] = incidents
        self.failure_links: tuple[TrueFailureLink, ...] = links
        self.items: dict[str, TrueDeliveryItem] = items

    def production_deployments(self, service: str | None = None) -> list[TrueDeployment]:
        out = [d for d in self.deployments.values() if d.is_production and service in (None, d.service)]
        return sorted(out, key=lambda d: (d.finished_at, d.started_at, d.deployment_key))

    def failed_deployment_ids(self) -> set[int]:
        return {link.deployment_id for link in self.failure_links}

    def change_fail_rate(self, service: str | None = None) -> float | None:
        prod = self.production_deployments(service)
        if not prod:
            return None
        failed = self.failed_deployment_ids()
        return sum(1 for d in prod if d.id in failed) / len(prod)

    def edge_cases(self) -> frozenset[str]:
        """Every edge case some commit, PR, deployment or incident shows."""
        found: set[str] = set()
        for group in (self.commits, self.pull_requests, self.deployments, self.incidents):
            for record in group.values():
                found |= record.edge_cases
        return frozenset(found)

    def with_edge_case(self, name: str) -> list:
        groups = (self.commits, self.pull_requests, self.deployments, self.incidents)
        return [r for g in groups for r in g.values() if name in r.edge_cases]


def build_delivery_truth(
    model: DeliveryModel,
    issue_ids: list[str],
    issue_key_history: dict[int, list[tuple[int, str]]],
    as_of: datetime,
    github_source: str,
    methods: tuple[str, ...] = ATTRIBUTION_METHODS,
    incident_fix_window: timedelta = timedelta(hours=1),
) -> DeliveryTruth:
    """Ground truth as of ``as_of``. ``issue_ids[i]`` is Jira issue ``i``'s id and
    ``issue_key_history[i]`` its keys ``(since_ms, key)``; ``methods`` are the failure attribution
    methods in force, in precedence order."""
    builder = _Builder(
        model,
        issue_ids,
        issue_key_history,
        to_ms(as_of),
        github_source,
        methods,
        int(incident_fix_window.total_seconds() * 1000),
    )
    return builder.build(as_of)


@dataclass(eq=False)
class _Group:
    """One deployment: its records, representative and outcome as of ``now``."""

    history: RepoHistory
    records: list[Deployment]
    rep: Deployment
    status: str
    started_ms: int
    finished_ms: int | None

    @property
    def succeeded(self) -> bool:
        return self.status == "success"


def record_outcome(d: Deployment, now: int) -> tuple[str, int | None]:
    """A record's status and finished instant as of ``now`` (``inactive`` read as an earlier success)."""
    visible = [s for s in d.statuses if s.ms <= now]
    active = [s for s in visible if s.state != "inactive"]
    state = active[-1].state if active else ("inactive" if visible else None)
    if state in ("success", "inactive"):
        first = next((s.ms for s in visible if s.state == "success"), None)
        return "success", first if first is not None else next(s.ms for s in visible if s.state == "inactive")
    if state in ("failure", "error"):
        return "failure", next(s.ms for s in visible if s.state in ("failure", "error"))
    if state == "in_progress":
        return "in_progress", None
    if state in ("queued", "pending"):
        return "queued", None
    return "pending", None


def representative_rank(d: Deployment, outcome: tuple[str, int | None]) -> tuple:
    """Successful records first, then the latest finished, started, highest id."""
    status, finished = outcome
    return (status == "success", finished is not None, finished or 0, d.created_ms, d.id)


class _Builder:
    def __init__(self, model, issue_ids, key_history, now, github_source, methods, fix_window_ms):
        self.model, self.issue_ids, self.key_history, self.now = model, issue_ids, key_history, now
        self.github_source, self.methods, self.fix_window_ms = github_source, methods, fix_window_ms
        self.groups: list[_Group] = []
        self.group_of: dict[Deployment, _Group] = {}
        self.stream: dict[int, list[_Group]] = {}  # repo → production deployments in order
        self.change_sets: dict[_Group, tuple[str, ...]] = {}
        self.first_sets: dict[_Group, tuple[str, ...]] = {}
        self.previous: dict[_Group, _Group | None] = {}
        self.first_deployment: dict[tuple[int, str], _Group] = {}  # (repo, sha) → first shipped by
        self.redeploy: dict[_Group, tuple[bool, bool, tuple[_Group, ...]]] = {}
        self.run_environments: dict[
            object, set[str]
        ] = {}  # workflow run → production environments it deployed

    def key(self, g: _Group) -> str:
        return f"{self.github_source}:deployment:{g.rep.id}"

    def order(self, g: _Group) -> tuple:
        return (g.finished_ms, g.started_ms, self.key(g))

    # deployments

    def group(self, history: RepoHistory) -> None:
        buckets: dict[tuple, list[Deployment]] = {}
        for d in history.deployments:
            if d.created_ms <= self.now:
                key = ("run", d.run.id, d.environment) if d.run is not None else ("record", d.id)
                buckets.setdefault(key, []).append(d)
        for records in buckets.values():
            outcomes = {d: record_outcome(d, self.now) for d in records}
            rep = max(records, key=lambda d, o=outcomes: representative_rank(d, o[d]))
            status, finished = outcomes[rep]
            g = _Group(history, records, rep, status, min(d.created_ms for d in records), finished)
            self.groups.append(g)
            if rep.run is not None and environment_tier(rep.environment) == PRODUCTION:
                self.run_environments.setdefault(rep.run, set()).add(rep.environment)
            for d in records:
                self.group_of[d] = g

    def sequence(self, history: RepoHistory) -> None:
        mine = [g for g in self.groups if g.history is history and g.succeeded]
        by_env: dict[str, list[_Group]] = {}
        for g in sorted(mine, key=self.order):
            by_env.setdefault(g.rep.environment, []).append(g)
        for env_groups in by_env.values():
            for n, g in enumerate(env_groups):
                earlier = [k for k in range(n) if env_groups[k].rep.sha == g.rep.sha]
                is_redeploy = bool(earlier)
                is_rollback = is_redeploy and env_groups[n - 1].rep.sha != g.rep.sha
                rolled = tuple(env_groups[earlier[-1] + 1 : n]) if is_rollback else ()
                self.redeploy[g] = (is_redeploy, is_rollback, rolled)
        prod = sorted((g for g in mine if environment_tier(g.rep.environment) == PRODUCTION), key=self.order)
        self.stream[history.repo.index] = prod
        by_sha = history.by_sha
        deployed: set[str] = set()
        previous = None
        for g in prod:
            new, stack = [], [g.rep.sha]
            while stack:
                sha = stack.pop()
                if sha in deployed:
                    continue
                deployed.add(sha)
                new.append(sha)
                stack.extend(by_sha[sha].parents)
            new.sort(key=lambda s: -by_sha[s].seq)
            self.first_sets[g] = tuple(new)
            for sha in new:
                self.first_deployment[(history.repo.index, sha)] = g
            self.change_sets[g] = tuple(
                range_difference(by_sha, g.rep.sha, previous.rep.sha if previous else None)
            )
            self.previous[g] = previous
            previous = g

    def build(self, as_of: datetime) -> DeliveryTruth:
        for history in self.model.repos:
            self.group(history)
            self.sequence(history)
        changes = self.changes()
        links = self.failure_links()
        deployments = {g.rep.id: self.deployment(g, links, changes) for g in self.groups}
        self.tag_tiny_samples(deployments)
        pulls = {
            (h.repo.full_name, p.number): self.pull(h, p, changes)
            for h in self.model.repos
            for p in h.pulls
            if p.created_ms <= self.now
        }
        commits = {c.sha: t for h in self.model.repos for c, t in self.commits(h)}
        incidents = {i.id: self.incident(i, links) for i in self.model.incidents if i.created_ms <= self.now}
        items = self.items(pulls, commits, changes)
        return DeliveryTruth(as_of, commits, pulls, deployments, changes, incidents, tuple(links), items)

    # changes

    def changes(self) -> dict[str, TrueChange]:
        out: dict[str, TrueChange] = {}
        for history in self.model.repos:
            repo = history.repo
            stream = self.stream[repo.index]
            for g in stream:
                for sha in reversed(self.first_sets[g]):  # oldest first
                    commit = history.by_sha[sha]
                    pr = commit.pr
                    key = f"{repo.full_name}#{pr.number}" if pr else f"{repo.full_name}@{sha}"
                    if key in out:  # shipped again later (a hotfix merged back): the first deployment stays
                        out[key] = replace(out[key], shas=out[key].shas + (sha,))
                        continue
                    first = (
                        min(history.by_sha[s].author_ms for s in pr.final_commits) if pr else commit.author_ms
                    )
                    out[key] = TrueChange(
                        key,
                        repo.full_name,
                        repo.service,
                        pr.number if pr else None,
                        (sha,),
                        (pr.author if pr else commit.author).is_bot,
                        from_ms(first),
                        g.rep.id,
                        from_ms(g.finished_ms),
                        (g.finished_ms - first) / 1000,
                        g is stream[0],
                    )
        return out

    # failure links

    def production_of(self, incident: Incident) -> list[_Group]:
        return self.stream[incident.repo]

    def remediations(self, repo: int) -> list[tuple[str, _Group, _Group, str]]:
        """``(method, remediation, failed, evidence)`` for every deployed revert and rollback."""
        history = self.model.repos[repo]
        out = []
        for g in self.stream[repo]:
            for sha in self.first_sets[g]:
                reverted = history.by_sha[sha].reverts
                failed = self.first_deployment.get((repo, reverted)) if reverted else None
                if failed is not None and failed is not g and failed.finished_ms <= g.finished_ms:
                    out.append((REVERT, g, failed, f"revert {sha} of {reverted}"))
            _, is_rollback, rolled = self.redeploy.get(g, (False, False, ()))
            if is_rollback:
                out += [(ROLLBACK, g, failed, f"rollback {g.rep.id} to {g.rep.sha}") for failed in rolled]
        return out

    def failure_links(self) -> list[TrueFailureLink]:
        links: list[TrueFailureLink] = []
        remediations = {h.repo.index: self.remediations(h.repo.index) for h in self.model.repos}
        for incident in sorted(self.model.incidents, key=lambda i: i.number):
            if incident.created_ms > self.now:
                continue
            for method in self.methods:
                found = self.incident_links(incident, method, remediations[incident.repo])
                if found:
                    links += found
                    break
        undone: dict[tuple[int, str, int], str] = {}
        for evidence in remediations.values():
            for method, fix, failed, text in evidence:
                if method in self.methods:
                    key = (failed.rep.id, method, fix.rep.id)
                    undone[key] = min(text, undone.get(key, text))
        links += [
            TrueFailureLink(failed, method, None, fix, text, None)
            for (failed, method, fix), text in undone.items()
        ]
        return links

    def incident_links(self, incident: Incident, method: str, remediations) -> list[TrueFailureLink]:
        texts = [incident.description] + [
            e.text for e in incident.log if e.kind == "annotate" and e.ms <= self.now
        ]
        parts = [p for t in texts if not isinstance(t, str) for p in t]
        resolved = (
            incident.resolved_ms
            if incident.resolved_ms is not None and incident.resolved_ms <= self.now
            else None
        )
        prod = self.production_of(incident)
        counted = set(prod)
        created = incident.created_ms
        found: list[tuple[_Group, str, _Group | None]] = []
        if method == EXPLICIT:
            found = [
                (self.group_of[p], f"names deployment {p.id}", None)
                for p in parts
                if isinstance(p, Deployment) and self.group_of.get(p) in counted
            ]
        elif method == ROOT_CAUSE:
            found = [
                (self.first_deployment[(incident.repo, p.sha)], f"names commit {p.sha}", None)
                for p in parts
                if isinstance(p, Commit) and (incident.repo, p.sha) in self.first_deployment
            ]
        elif method in (REVERT, ROLLBACK):
            open_until = resolved if resolved is not None else self.now
            found = [
                (failed, text, fix)
                for kind, fix, failed, text in remediations
                if kind == method
                and created <= fix.finished_ms <= open_until
                and failed.finished_ms <= created
            ]
        elif method == NEAREST:
            finished = [g.finished_ms for g in prod]
            k = bisect_right(finished, created)
            found = [(prod[k - 1], "latest production deployment before the incident", None)] if k else []
        seen: dict[_Group, tuple[str, _Group | None]] = {}
        for g, text, fix in found:
            seen.setdefault(g, (text, fix))
        return [
            TrueFailureLink(
                g.rep.id,
                method,
                incident.id,
                fix.rep.id if fix else None,
                text,
                None if resolved is None else (resolved - g.finished_ms) / 1000,
            )
            for g, (text, fix) in seen.items()
        ]

    # records

    def deployment(
        self, g: _Group, links: list[TrueFailureLink], changes: dict[str, TrueChange]
    ) -> TrueDeployment:
        history, d = g.history, g.rep
        repo = history.repo
        tier = environment_tier(d.environment)
        counted = tier == PRODUCTION and g.succeeded
        is_redeploy, is_rollback, rolled = self.redeploy.get(g, (False, False, ()))
        first_set = self.first_sets.get(g, ())
        reasons: set[str] = set()
        shipped = [history.by_sha[s].pr for s in first_set if history.by_sha[s].pr is not None]
        first_shipped = [
            p
            for p in dict.fromkeys(shipped)
            if getattr(changes.get(f"{repo.full_name}#{p.number}"), "deployment_id", None) == d.id
        ]
        is_hotfix = bool(HOTFIX_PATTERN.search(d.ref)) or any(
            HOTFIX_PATTERN.search(p.head_ref) or HOTFIX_PATTERN.search(p.title) for p in first_shipped
        )
        if counted:
            if is_hotfix:
                reasons.add("hotfix")
            if is_rollback:
                reasons.add("rollback")
            if any(history.by_sha[s].reverts for s in first_set):
                reasons.add("revert")
            if self.incident_fix(g):
                reasons.add("incident_fix")
        states = [s.state for r in g.records for s in r.statuses if s.ms <= self.now]
        tags = {
            name
            for name, on in (
                ("rollback", is_rollback and counted),
                ("redeploy_old_sha", is_redeploy and not is_rollback and counted),
                ("hotfix", "hotfix" in reasons),
                ("revert", "revert" in reasons),
                ("failed_deployment", g.status == "failure"),
                (
                    "flaky_rerun",
                    len(g.records) > 1
                    or (d.run is not None and len(d.run.attempts) > 1 and tier == PRODUCTION),
                ),
                (
                    "several_environments",
                    counted and d.run is not None and len(self.run_environments.get(d.run, ())) > 1,
                ),
                ("many_commits_deployment", len(first_set) >= MANY_COMMITS),
                ("inactive_status", "inactive" in states),
            )
            if on
        }
        previous = self.previous.get(g)
        return TrueDeployment(
            d.id,
            self.key(g),
            tuple(sorted(r.id for r in g.records)),
            repo.full_name,
            repo.service,
            d.environment,
            tier,
            d.sha,
            d.ref,
            d.kind,
            g.status,
            states[-1] if states else "pending",
            g.succeeded,
            counted,
            from_ms(g.started_ms),
            when(g.finished_ms),
            d.run.id if d.run else None,
            len(g.records),
            previous.rep.id if previous else None,
            is_redeploy,
            is_rollback,
            tuple(x.rep.id for x in rolled),
            is_hotfix and counted,
            frozenset(reasons),
            self.change_sets.get(g, ()),
            first_set,
            frozenset(tags),
        )

    def incident_fix(self, g: _Group) -> bool:
        for i in self.model.incidents:
            if i.repo != g.history.repo.index or i.created_ms > self.now:
                continue
            resolved = i.resolved_ms if i.resolved_ms is not None and i.resolved_ms <= self.now else None
            if (
                resolved is not None
                and i.created_ms <= g.finished_ms <= resolved
                and resolved - g.finished_ms <= self.fix_window_ms
            ):
                return True
        return False

    def tag_tiny_samples(self, deployments: dict[int, TrueDeployment]) -> None:
        """A production deployment alone in its service's ISO week (UTC) is a tiny sample."""
        weeks: dict[tuple[str, tuple[int, int]], list[int]] = {}
        for d in deployments.values():
            if d.is_production:
                weeks.setdefault((d.service, tuple(d.finished_at.isocalendar()[:2])), []).append(d.id)
        for ids in weeks.values():
            if len(ids) == 1:
                d = deployments[ids[0]]
                deployments[ids[0]] = replace(d, edge_cases=d.edge_cases | {"tiny_sample"})

    def pull(self, history: RepoHistory, p: PullRequest, changes: dict[str, TrueChange]) -> TruePullRequest:
        now = self.now
        merged = p.merged_ms if p.merged_ms is not None and p.merged_ms <= now else None
        closed = p.closed_ms if p.closed_ms is not None and p.closed_ms <= now else None
        ready = p.ready_at()
        ready = ready if ready is not None and ready <= now else None
        reviews = [r for r in p.reviews if r.submitted_ms <= now]
        human = [r.submitted_ms for r in reviews if r.user is not p.author and not r.user.is_bot]
        first_review = min(human) if human else None
        commits = p.commits_at(now)
        first_commit = min((history.by_sha[s].author_ms for s in commits), default=None)
        change = changes.get(f"{history.repo.full_name}#{p.number}")
        deployed = to_ms(change.deployed_at) if change else None
        tags = {
            name
            for name, on in (
                ("bot_pr", p.author.is_bot),
                ("draft_pr", p.draft_at_open),
                ("bot_review", any(r.user.is_bot for r in reviews)),
                ("author_self_review", any(r.user is p.author for r in reviews)),
                ("force_pushed", any(at <= now for at, _, _ in p.force_pushes)),
                ("revert", p.kind == "revert"),
                ("hotfix", p.kind == "hotfix"),
            )
            if on
        }
        if merged is not None:
            tags.add(
                {"merge": "merge_commit", "squash": "squash_merge", "rebase": "rebase_merge"}[p.merge_method]
            )

        def span(a: int | None, b: int | None) -> float | None:
            return None if a is None or b is None or merged is None else (b - a) / 1000

        return TruePullRequest(
            history.repo.full_name,
            p.number,
            p.id,
            p.kind,
            p.title,
            p.head_ref,
            p.author.login,
            p.author.is_bot,
            self.issue_id(p.issue),
            issue_keys(p.head_ref.upper(), p.title),
            "merged" if merged else "closed" if closed else "open",
            from_ms(p.created_ms),
            when(ready),
            when(first_commit),
            when(first_review),
            when(merged),
            when(closed),
            p.merge_sha if merged else None,
            p.merge_method if merged else None,
            commits,
            change.deployment_id if change else None,
            change.deployed_at if change else None,
            span(first_commit, p.created_ms),
            span(ready, first_review),
            span(first_review, merged),
            span(merged, deployed),
            frozenset(tags),
        )

    def commits(self, history: RepoHistory):
        reachable = clone_commits(history, self.now)
        for c in history.commits:
            if c.committer_ms > self.now:
                continue
            keys = issue_keys(c.message)
            tags = {
                name
                for name, on in (
                    ("rebased_commit", c.replay_of is not None or c.kind == REBASED),
                    ("squash_merge", c.kind == SQUASH_COMMIT),
                    ("merge_commit", c.kind == MERGE_COMMIT),
                    ("revert", bool(c.reverts)),
                    ("hotfix", c.kind == HOTFIX),
                    ("no_issue_key", not keys),
                )
                if on
            }
            g = self.first_deployment.get((history.repo.index, c.sha))
            yield (
                c,
                TrueCommit(
                    c.sha,
                    history.repo.full_name,
                    c.parents,
                    c.author.login,
                    from_ms(c.author_ms),
                    from_ms(c.committer_ms),
                    len(c.parents) > 1,
                    c.author.is_bot,
                    keys,
                    c.pr.number if c.pr else None,
                    self.issue_id(c.issue),
                    c.sha in reachable,
                    g.rep.id if g else None,
                    frozenset(tags),
                ),
            )

    def incident(self, i: Incident, links: list[TrueFailureLink]) -> TrueIncident:
        repo = REPOSITORIES[i.repo]
        mine = [link for link in links if link.incident_id == i.id]
        resolved = i.resolved_ms if i.resolved_ms is not None and i.resolved_ms <= self.now else None
        acknowledged = (
            i.acknowledged_ms if i.acknowledged_ms is not None and i.acknowledged_ms <= self.now else None
        )
        deployments = tuple(dict.fromkeys(link.deployment_id for link in mine))
        tags = {
            name
            for name, on in (
                ("incident_no_cause", not mine),
                ("incident_two_deployments", len(deployments) > 1),
            )
            if on
        }
        return TrueIncident(
            i.id,
            i.number,
            repo.pagerduty_id,
            repo.service,
            repo.full_name,
            i.title,
            i.urgency,
            "resolved" if resolved else "acknowledged" if acknowledged else "triggered",
            from_ms(i.created_ms),
            when(acknowledged),
            when(resolved),
            deployments,
            mine[0].method if mine else None,
            None if resolved is None else (resolved - i.created_ms) / 1000,
            i.scenario,
            frozenset(tags),
        )

    def items(self, pulls, commits, changes) -> dict[str, TrueDeliveryItem]:
        """Flow items linked by the keys (current and former) named in branches, titles and messages."""
        item_of: dict[str, int] = {}
        for i, history in self.key_history.items():
            for since, key in history:
                if since <= self.now:
                    item_of.setdefault(key, i)
        change_of_commit = {}
        for change in changes.values():
            for sha in change.shas:
                change_of_commit[sha] = change
        linked: dict[int, dict] = {}

        def entry(i: int) -> dict:
            return linked.setdefault(
                i, {"prs": {}, "methods": set(), "keys": [], "commits": [], "changes": []}
            )

        for (repo, number), p in pulls.items():
            for method, keys in (
                ("branch", issue_keys(p.head_ref.upper())),
                ("pr_title", issue_keys(p.title)),
            ):
                for key in keys:
                    if key in item_of:
                        e = entry(item_of[key])
                        e["prs"][(repo, number)] = True
                        e["methods"].add(method)
                        e["keys"].append(key)
                        if f"{repo}#{number}" in changes:
                            e["changes"].append(changes[f"{repo}#{number}"])
        listed = {sha for p in pulls.values() for sha in p.commit_shas}
        for c in commits.values():
            if not (c.in_clone or c.sha in listed):  # neither in the clone nor listed by a PR: never seen
                continue
            for key in c.issue_keys:
                if key in item_of:
                    e = entry(item_of[key])
                    e["methods"].add("commit_message")
                    e["keys"].append(key)
                    e["commits"].append(c)
                    if c.sha in change_of_commit:
                        e["changes"].append(change_of_commit[c.sha])
                    elif c.pull_request_number is not None:
                        pr_change = changes.get(f"{c.repository}#{c.pull_request_number}")
                        if pr_change is not None:
                            e["changes"].append(pr_change)
        out = {}
        for i in sorted(linked):
            e = linked[i]
            own = sorted(e["commits"], key=lambda c: (c.author_at, c.sha))
            first = min(e["changes"], key=lambda ch: (ch.deployed_at, ch.deployment_id), default=None)
            starts = [c.author_at for c in own]
            starts += [pulls[pr].first_commit_at for pr in e["prs"] if pulls[pr].first_commit_at is not None]
            out[self.issue_ids[i]] = TrueDeliveryItem(
                self.issue_ids[i],
                tuple(dict.fromkeys(e["keys"])),
                tuple(sorted(e["prs"])),
                frozenset(e["methods"]),
                tuple(c.sha for c in own),
                min(starts, default=None),
                first.deployment_id if first else None,
                first.deployed_at if first else None,
            )
        return out

    def issue_id(self, issue: int | None) -> str | None:
        return None if issue is None else self.issue_ids[issue]


def range_difference(by_sha: dict[str, Commit], include: str, exclude: str | None) -> list[str]:
    """``git rev-list <include> ^<exclude>``, newest first (commits walked in creation order)."""
    inc, exc = 1, 2
    flags: dict[str, int] = {}
    heap: list[tuple[int, str]] = []
    interesting: set[str] = set()  # queued commits marked only "include": the walk ends when none is left

    def mark(sha: str, flag: int) -> None:
        before = flags.get(sha)
        flags[sha] = (before or 0) | flag
        if before is None:
            heapq.heappush(heap, (-by_sha[sha].seq, sha))
        if flags[sha] == inc:
            interesting.add(sha)
        else:
            interesting.discard(sha)

    mark(include, inc)
    if exclude is not None:
        mark(exclude, exc)
    out = []
    while interesting:
        _, sha = heapq.heappop(heap)
        interesting.discard(sha)
        flag = flags[sha]
        if flag == inc:
            out.append(sha)
        for parent in by_sha[sha].parents:
            mark(parent, exc if flag & exc else inc)
    return out


def clone_commits(history: RepoHistory, now: int) -> set[str]:
    """Commits reachable from the clone's branches and tags as of ``now``."""
    seen: set[str] = set()
    stack = list(history.branches_at(now).values())
    while stack:
        sha = stack.pop()
        if sha in seen:
            continue
        seen.add(sha)
        stack.extend(history.by_sha[sha].parents)
    return seen


def incident_text(incident: Incident, now: int) -> str:
    """The incident's description and notes as PagerDuty shows them (for tests and debugging)."""
    notes = [render_text(e.text) for e in incident.log if e.kind == "annotate" and e.ms <= now]
    return "\n".join([incident.title, render_text(incident.description), *notes])
