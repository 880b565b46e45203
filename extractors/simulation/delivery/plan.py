"""Pull-request plans: what happens to each piece of work and when, decided before the repository's
history is simulated.

Story-level Jira items with a development start become feature branches and pull requests derived
from their delivery milestones: commits between dev start and review start, the PR opened at review
start (drafts earlier, marked ready then), reviews and the merge before the Jira release, placed
after the last deploy cut before that release so the first production deployment comes at or after
it. Dependabot opens weekly bumps; now and then someone pushes straight to main.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from extractors.simulation.config import OrgConfig
from extractors.simulation.delivery.catalog import (
    MERGE,
    REBASE,
    REPOSITORIES,
    SQUASH,
    Repository,
    repository_for,
)
from extractors.simulation.delivery.identities import CODE_SCANNER, DEPENDABOT, WEB_FLOW, Account
from extractors.simulation.delivery.model import BOT_PR, FEATURE_PR, PullRequest
from extractors.simulation.delivery.schedule import last_cut_before
from extractors.simulation.jira import catalog as c
from extractors.simulation.jira.model import JiraModel
from extractors.simulation.people import People
from extractors.simulation.timeutil import DAY_MS, HOUR_MS, MINUTE_MS, SECOND_MS

METHODS = (MERGE, SQUASH, REBASE)
BIG_PR_COMMITS = 45
LATER_MESSAGES = (
    "Add tests",
    "Fix lint",
    "Handle empty input",
    "Rename variables for clarity",
    "wip",
    "Extract helper",
    "Update docs",
    "Fix flaky test",
    "Tidy imports",
    "Cover the error path",
)
FIXUP_MESSAGES = ("Address review comments", "Apply suggestions from code review", "Review feedback")
REVIEW_BODIES = {
    "APPROVED": ("LGTM", "Looks good, thanks!", "", "Ship it"),
    "CHANGES_REQUESTED": (
        "Please add a test for the failure case.",
        "This needs a null check.",
        "See inline comments.",
    ),
    "COMMENTED": ("A couple of questions inline.", "Nit: naming.", "Could we reuse the existing helper?"),
}
BOT_REVIEW_BODY = "Quality Gate passed. 0 new issues, 0 security hotspots, coverage 84.1% on new code."


def sec(ms: float) -> int:
    """Whole seconds (every delivery instant is one; Git and GitHub keep no milliseconds)."""
    return int(ms) // SECOND_MS * SECOND_MS


def sec_up(ms: float) -> int:
    """The first whole second at or after ``ms``."""
    return -(-int(ms) // SECOND_MS) * SECOND_MS


def slug(text: str, limit: int = 40) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:limit].strip("-")


@dataclass(eq=False)
class PullPlan:
    """One branch and (usually) its pull request. Instants are epoch ms, whole seconds."""

    repo: Repository
    kind: str
    author: Account
    branch: str
    title: str
    body: str
    commits: list[tuple[int, str]]  # (ms, message) pushed before review
    module: str | None = None  # where edits land; None: the dependency manifest
    issue: int | None = None
    issue_key: str | None = None
    commit_kind: str = "work"
    committer: Account | None = None  # None: the author (dependabot commits via the API: web-flow)
    new_file: str | None = None
    open_ms: int | None = None
    draft: bool = False
    ready_ms: int | None = None
    rebase_ms: int | None = None
    reviews: list[tuple[int, Account, str, str]] = field(default_factory=list)
    fixups: list[tuple[int, str]] = field(default_factory=list)
    merge_ms: int | None = None
    merge_method: str = MERGE
    merged_by: Account | None = None
    close_ms: int | None = None
    keep_branch: bool = False
    labels: tuple[str, ...] = ()
    qa_ms: int | None = None
    preview: bool = False
    base_sha: str | None = None  # fork here instead of main's tip (hotfix branches)
    reverts: str | None = None  # revert branches: the SHA their commit reverts
    reviewers: tuple[Account, ...] = ()
    on_merged: Callable[[int, PullRequest], None] | None = None
    tags: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class DirectPush:
    """A commit pushed straight to main, without a pull request."""

    ms: int
    author: Account
    message: str
    path: str | None  # the file it touches (None: a module edit)


def increasing(times: list[float], floor: int) -> list[int]:
    """Whole-second instants, strictly increasing, none before ``floor``."""
    out, last = [], sec_up(floor) - SECOND_MS
    for t in times:
        last = max(sec(t), last + SECOND_MS)
        out.append(last)
    return out


def canceled_at(model: JiraModel, i: int, end_ms: int) -> int | None:
    """When an item still canceled at the end was canceled (its last change into Won't Do)."""
    if model.status_at(i, end_ms) != c.WONT_DO:
        return None
    return max(
        (at for at, kind, _, to, _ in model.events(i, end_ms) if kind == 0 and to == c.WONT_DO), default=None
    )


class WorkPlanner:
    """Turns the Jira site's items into pull-request plans for both repositories."""

    def __init__(self, config: OrgConfig, model: JiraModel, people: People, developers: dict[int, Account]):
        self.config = config
        self.model = model
        self.people = people
        self.developers = developers
        self.rng = np.random.default_rng([config.seed, 0xDE1])
        self.py = random.Random(config.seed * 7_368_787 + 11)

    def team_accounts(self, team: int) -> list[Account]:
        members = self.people.developers[team % len(self.people.developers)]
        return [self.developers[p] for p in members]

    def items(self) -> list[int]:
        """Story-level items whose development started, in index order."""
        return sorted(i for i, m in self.model.milestones.items() if m.dev_start_ms is not None)

    def repo_of(self, i: int) -> Repository:
        m = self.model
        project, _ = m.key_at(i, m.milestones[i].dev_start_ms)
        return repository_for(m.projects[project].key, int(m.issue_id[i]))

    def on_demand(self, items: list[int]) -> dict[int, list[tuple[int, int, int]]]:
        """Released items deployed on demand, per repository: ``(release_ms, delay_ms, issue)``."""
        u = self.rng.random(len(items))
        delay = self.rng.integers(5 * MINUTE_MS, 30 * MINUTE_MS, len(items))
        out: dict[int, list[tuple[int, int, int]]] = {r.index: [] for r in REPOSITORIES}
        for k, i in enumerate(items):
            release = self.model.milestones[i].release_ms
            repo = self.repo_of(i)
            if release is not None and u[k] < repo.on_demand_share:
                out[repo.index].append((release, int(delay[k]), i))
        return out

    def big_item(self, items: list[int]) -> int | None:
        """The item (payments first) that becomes a pull request with many commits, merged with a merge
        commit so that all of them reach main and one deployment."""
        start, end = self.config.start_ms, self.config.end_ms
        best: tuple[int, int, int] | None = None
        for i in items:
            m = self.model.milestones[i]
            if m.release_ms is None or m.review_start_ms is None:
                continue
            if not start + 0.35 * (end - start) <= m.release_ms <= start + 0.85 * (end - start):
                continue
            rank = (self.repo_of(i).index == 0, m.review_start_ms - m.dev_start_ms, -i)
            if best is None or rank > best:
                best = rank
                chosen = i
        return None if best is None else chosen

    def feature_plans(self, items: list[int], cuts: dict[int, list[int]]) -> list[PullPlan]:
        """A plan per item; ``cuts`` are each repository's deploy cut instants (sorted)."""
        n = len(items)
        rng = self.rng
        u = {
            name: rng.random(n).tolist()
            for name in (
                "draft",
                "rebase",
                "keep",
                "method",
                "title",
                "branch",
                "first_key",
                "state",
                "bot",
                "self",
                "second",
                "qa",
                "preview",
                "new_file",
                "merge_at",
                "open_draft",
                "wip_pr",
                "first_commit",
            )
        }
        points = np.array([self.model.story_points[i] or 3.0 for i in items]) if n else np.zeros(0)
        n_commits = np.minimum(1 + rng.poisson(1.2 + 0.25 * points), 14)
        pickup = rng.lognormal(np.log(2.5 * HOUR_MS), 0.9, n)
        wip_span = rng.lognormal(np.log(3 * DAY_MS), 0.6, n)
        big = self.big_item(items)
        plans = []
        for k, i in enumerate(items):
            commits = BIG_PR_COMMITS if i == big else int(n_commits[k])
            plan = self.feature_plan(i, k, u, commits, float(pickup[k]), float(wip_span[k]), cuts)
            if i == big:
                plan.tags.add("many_commits")
                plan.merge_method = MERGE
            plans.append(plan)
        self.ensure_variety(plans)
        return plans

    def feature_plan(self, i, k, u, n_commits, pickup_ms, wip_ms, cuts) -> PullPlan:
        m = self.model
        end = self.config.end_ms
        ms = m.milestones[i]
        dev, review, release = ms.dev_start_ms, ms.review_start_ms, ms.release_ms
        project, number = m.key_at(i, dev)
        key = m.key_text(project, number)
        repo = self.repo_of(i)
        team = self.team_accounts(project)
        assignee = int(m.assignee[i])
        author = self.developers.get(assignee) or team[i % len(team)]
        others = [a for a in team if a is not author] or [
            a for a in self.developers.values() if a is not author
        ]
        summary = m.summaries[i]
        is_bug = m.type_at(i, dev) == c.BUG
        canceled = canceled_at(m, i, end)
        title_key, branch_key = u["title"][k] < 0.86, u["branch"][k] < 0.93
        prefix = "bugfix" if is_bug else "feature"
        branch = f"{prefix}/{key}-{slug(summary)}" if branch_key else f"{prefix}/{slug(summary)}"
        title = f"{key}: {summary}" if title_key else summary
        first_key = u["first_key"][k] < 0.75 or not (title_key or branch_key)
        style = (i % 3, (i // 3) % len(LATER_MESSAGES))
        first_message = (
            (f"{key} {summary}", f"[{key}] {summary}", f"{key}: {summary}")[style[0]]
            if first_key
            else summary
        )
        plan = PullPlan(
            repo=repo,
            kind=FEATURE_PR,
            author=author,
            branch=branch,
            title=title,
            body=f"## What\n{summary}\n\n## How to test\n- unit tests\n- tried it on staging\n",
            commits=[],
            module=repo.modules[int(m.issue_id[i]) % len(repo.modules)],
            issue=i,
            issue_key=key,
            reviewers=tuple(self.py.sample(others, k=min(2, len(others)))),
            keep_branch=u["keep"][k] < 0.15,
        )
        if u["new_file"][k] < 0.1:
            plan.new_file = f"{repo.package}/{plan.module}/{slug(summary, 24).replace('-', '_')}.py"
        # commits
        stop = review if review is not None else min(end - HOUR_MS, dev + int(wip_ms))
        if canceled is not None:
            stop = min(stop, canceled)
        span = max(stop - dev, n_commits * 2 * SECOND_MS)
        positions = sorted(self.py.uniform(0.03, 0.95) for _ in range(n_commits))
        times = increasing([dev + p * span for p in positions], dev + SECOND_MS)
        messages = [first_message] + [
            LATER_MESSAGES[(style[1] + j) % len(LATER_MESSAGES)]
            if self.py.random() < 0.7
            else f"{key} {LATER_MESSAGES[(style[1] + j) % len(LATER_MESSAGES)].lower()}"
            for j in range(1, n_commits)
        ]
        plan.commits = [(t, msg) for t, msg in zip(times, messages, strict=True) if t < end - MINUTE_MS]
        if not plan.commits:
            plan.commits = [(sec(min(dev + MINUTE_MS, end - 2 * MINUTE_MS)), first_message)]
        last = plan.commits[-1][0]
        first = plan.commits[0][0]
        # the pull request
        opened_for_review = review is not None and (canceled is None or canceled > review)
        if opened_for_review:
            plan.draft = u["draft"][k] < 0.18
            if plan.draft:
                plan.open_ms = sec(first + max(30 * SECOND_MS, u["open_draft"][k] * 0.6 * (review - first)))
                plan.ready_ms = max(sec_up(review), plan.open_ms + MINUTE_MS, last + 30 * SECOND_MS)
            else:
                plan.open_ms = max(sec_up(review), last + 30 * SECOND_MS)
            if u["rebase"][k] < 0.07 and (plan.ready_ms or plan.open_ms) - 2 * MINUTE_MS > last:
                plan.rebase_ms = (plan.ready_ms or plan.open_ms) - 2 * MINUTE_MS
        elif u["wip_pr"][k] < 0.35 and stop - first > 10 * MINUTE_MS:
            plan.draft = True
            plan.open_ms = sec(first + 0.5 * (stop - first))
        if plan.open_ms is not None and plan.open_ms >= end:
            plan.open_ms = plan.ready_ms = plan.rebase_ms = None
            plan.draft = False
        if plan.ready_ms is not None and plan.ready_ms >= end:
            plan.ready_ms = None
        ready = plan.ready_ms if plan.draft else plan.open_ms
        # merge
        if ready is not None and release is not None and canceled is None:
            cut = last_cut_before(cuts[repo.index], release)
            low = max(ready + 10 * MINUTE_MS, (cut or 0) + MINUTE_MS, last + 2 * MINUTE_MS)
            high = release - MINUTE_MS
            merge = low + (0.3 + 0.6 * u["merge_at"][k]) * (high - low) if high > low else low + 5 * MINUTE_MS
            if merge < end - 10 * MINUTE_MS:
                plan.merge_ms = sec(merge)
                shares = np.cumsum(repo.merge_shares)
                plan.merge_method = METHODS[
                    min(int(np.searchsorted(shares, u["method"][k], side="right")), 2)
                ]
        if ready is not None:
            self.plan_reviews(plan, k, u, ready, pickup_ms)
        if plan.open_ms is not None and canceled is not None:
            plan.close_ms = max(sec(canceled), plan.open_ms + MINUTE_MS)
        elif plan.open_ms is None and canceled is not None:
            plan.close_ms = max(sec(canceled), last + MINUTE_MS)  # the branch is deleted
        if ready is not None and u["preview"][k] < repo.preview_share:
            plan.preview = True
        return plan

    def plan_reviews(self, plan: PullPlan, k: int, u: dict, ready: int, pickup_ms: float) -> None:
        end = plan.merge_ms if plan.merge_ms is not None else self.config.end_ms - MINUTE_MS
        window = end - ready
        if window < 4 * SECOND_MS:
            return
        reviewer = plan.reviewers[0] if plan.reviewers else None
        events: list[tuple[float, Account, str, str]] = []
        if u["bot"][k] < 0.35:
            events.append(
                (
                    ready + min(self.py.uniform(60, 600) * SECOND_MS, 0.1 * window),
                    CODE_SCANNER,
                    "COMMENTED",
                    BOT_REVIEW_BODY,
                )
            )
        if u["self"][k] < 0.08:
            events.append(
                (ready + 0.12 * window, plan.author, "COMMENTED", "Replying to the questions inline.")
            )
        first = ready + min(pickup_ms, 0.5 * window) + SECOND_MS
        if reviewer is not None and (plan.merge_ms is not None or first < end):
            state = (
                "CHANGES_REQUESTED"
                if u["state"][k] < 0.22
                else "COMMENTED"
                if u["state"][k] < 0.35
                else "APPROVED"
            )
            events.append((first, reviewer, state, REVIEW_BODIES[state][k % len(REVIEW_BODIES[state])]))
            if state == "CHANGES_REQUESTED":
                plan.fixups.append((sec(first + 0.3 * (end - first)), FIXUP_MESSAGES[k % 3]))
            if state != "APPROVED" and plan.merge_ms is not None:
                events.append((first + 0.7 * (end - first), reviewer, "APPROVED", "Thanks, looks good now."))
            if u["second"][k] < 0.2 and len(plan.reviewers) > 1 and plan.merge_ms is not None:
                events.append((first + 0.85 * (end - first), plan.reviewers[1], "APPROVED", "LGTM"))
            if u["qa"][k] < plan.repo.qa_share:
                plan.qa_ms = sec(first + 0.2 * (end - first))
        events.sort(key=lambda e: e[0])
        times = increasing([e[0] for e in events], ready + SECOND_MS)
        plan.reviews = [
            (t, user, state, body)
            for t, (_, user, state, body) in zip(times, events, strict=True)
            if plan.merge_ms is None or t < plan.merge_ms
        ]
        approvers = [user for _, user, state, _ in plan.reviews if state == "APPROVED"]
        plan.merged_by = approvers[-1] if approvers else plan.author

    def ensure_variety(self, plans: list[PullPlan]) -> None:
        """Every merge method in each repository, a draft and a rebased branch, whatever the size."""
        for repo in REPOSITORIES:
            merged = [
                p for p in plans if p.repo is repo and p.merge_ms is not None and "many_commits" not in p.tags
            ]
            for method in METHODS:
                if merged and not any(p.merge_method == method for p in merged):
                    spare = [p for p in merged if sum(q.merge_method == p.merge_method for q in merged) > 1]
                    (spare or merged)[len(spare or merged) // 2].merge_method = method
        merged = [p for p in plans if p.merge_ms is not None and p.open_ms is not None and p.commits]
        if merged and not any(p.draft and p.ready_ms for p in merged):
            p = merged[len(merged) // 3]
            if p.open_ms - p.commits[-1][0] > 2 * MINUTE_MS:
                p.draft, p.ready_ms = True, p.open_ms
                p.open_ms = sec(max(p.commits[0][0] + 30 * SECOND_MS, p.ready_ms - 2 * MINUTE_MS))
        if merged and not any(p.draft and p.rebase_ms for p in merged):
            # a rebase while the (draft) pull request is open: a force-push with old author dates
            for p in merged[len(merged) // 2 :] + merged:
                ready = p.ready_ms or p.open_ms
                if ready - p.commits[0][0] > 10 * MINUTE_MS and ready - MINUTE_MS > p.commits[-1][0]:
                    p.draft, p.ready_ms = True, ready
                    p.open_ms = sec(p.commits[0][0] + 30 * SECOND_MS)
                    p.rebase_ms = ready - MINUTE_MS
                    break


def dependabot_plans(
    config: OrgConfig, developers: list[Account], repo: Repository, rng: random.Random
) -> list[PullPlan]:
    """Weekly dependency bumps (Mondays, early morning UTC); most merged by a developer, some closed."""
    plans = []
    day = config.start_ms // DAY_MS * DAY_MS
    week = 0
    while day < config.end_ms:
        if (day // DAY_MS + 3) % 7 == 0 and day >= config.start_ms:
            for slot in range(rng.choice((1, 1, 2))):
                lib = repo.dependencies[(week * 3 + slot + repo.index) % len(repo.dependencies)]
                major, minor = 1 + (week + slot) % 4, 2 + week // 3
                old, new = f"{major}.{minor}.{slot}", f"{major}.{minor}.{slot + 1}"
                at = day + 4 * HOUR_MS + rng.randrange(0, 90) * MINUTE_MS + slot * 7 * MINUTE_MS
                if at + 3 * DAY_MS >= config.end_ms:
                    continue
                title = f"Bump {lib} from {old} to {new}"
                body = (
                    f"Bumps [{lib}](https://github.com/{lib}/{lib}) from {old} to {new}.\n\n"
                    "Dependabot will resolve any conflicts with this PR as long as you don't alter it "
                    "yourself.\n"
                )
                reviewer = developers[(week + slot) % len(developers)]
                plan = PullPlan(
                    repo=repo,
                    kind=BOT_PR,
                    author=DEPENDABOT,
                    branch=f"dependabot/{repo.ecosystem}/{lib}-{new}",
                    title=title,
                    body=body,
                    commits=[(at, f"{title}\n\n{body}\nsigned-off-by: dependabot[bot] <support@github.com>")],
                    commit_kind="bot",
                    committer=WEB_FLOW,
                    open_ms=at + 20 * SECOND_MS,
                    labels=("dependencies",),
                    reviewers=(reviewer,),
                )
                if rng.random() < 0.8:
                    review_at = at + rng.randrange(2, 30) * HOUR_MS
                    plan.reviews = [(review_at, reviewer, "APPROVED", "")]
                    plan.merge_ms = review_at + rng.randrange(1, 30) * MINUTE_MS
                    plan.merge_method, plan.merged_by = SQUASH, reviewer
                else:
                    plan.close_ms = at + 5 * DAY_MS - HOUR_MS
                    if plan.close_ms >= config.end_ms:
                        plan.close_ms = None
                plans.append(plan)
            week += 1
        day += DAY_MS
    return plans


DIRECT_MESSAGES = (
    ("Update README", "README.md"),
    ("Tidy CI configuration", ".github/workflows/ci.yml"),
    ("Fix typo in deployment workflow", ".github/workflows/deploy-production.yml"),
    ("Bump version", None),
)


def direct_pushes(
    config: OrgConfig, developers: list[Account], repo: Repository, rng: random.Random
) -> list[DirectPush]:
    """Commits pushed straight to main, without an issue key, about every twelve days."""
    out = []
    at = config.start_ms + rng.randrange(2, 9) * DAY_MS
    n = 0
    while at < config.end_ms - 2 * DAY_MS:
        ms = at // DAY_MS * DAY_MS + 8 * HOUR_MS + rng.randrange(0, 8 * 60) * MINUTE_MS
        message, path = DIRECT_MESSAGES[n % len(DIRECT_MESSAGES)]
        out.append(DirectPush(ms, developers[n % len(developers)], message + "\n", path))
        n += 1
        at += rng.randrange(8, 16) * DAY_MS
    return out
