"""The delivery side as generated: per repository its commits, refs over time, pull requests,
deployments, workflow runs and release tags; and the PagerDuty incidents. Plain objects that keep
every instant (epoch ms, whole seconds), so the APIs can answer "as of" any clock and the ground
truth can be read off the model itself.

GitHub ids are assigned once generation is complete, in creation order across both repositories
(as GitHub's global sequences do); texts that name a deployment or a commit keep the object and are
rendered with :func:`render_text` once ids exist.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any

from extractors.simulation.delivery.catalog import Repository
from extractors.simulation.delivery.gitobjects import Blob
from extractors.simulation.delivery.identities import Account

# commit kinds
INITIAL, WORK, FIXUP, MERGE_COMMIT, SQUASH_COMMIT, REBASED, REVERT, HOTFIX, DIRECT, BOT = (
    "initial",
    "work",
    "fixup",
    "merge",
    "squash",
    "rebased",
    "revert",
    "hotfix",
    "direct",
    "bot",
)
# pull request kinds
FEATURE_PR, BOT_PR, REVERT_PR, HOTFIX_PR, FIX_PR = "feature", "bot", "revert", "hotfix", "fix"
# deployment kinds
TRAIN, ON_DEMAND, HOTFIX_DEPLOY, ROLLBACK, REDEPLOY, STAGING, QA, PREVIEW = (
    "train",
    "on_demand",
    "hotfix",
    "rollback",
    "redeploy",
    "staging",
    "qa",
    "preview",
)
FORWARD_KINDS = frozenset({TRAIN, ON_DEMAND, HOTFIX_DEPLOY})


@dataclass(slots=True, eq=False)
class Commit:
    sha: str
    repo: int
    seq: int  # creation order within the repository (parents always come first)
    parents: tuple[str, ...]
    tree: str
    author: Account
    author_ms: int
    author_tz: str
    committer: Account
    committer_ms: int
    committer_tz: str
    message: str
    changes: tuple[tuple[str, Blob], ...]  # against the first parent
    kind: str
    pr: PullRequest | None = None  # the pull request whose work this commit is (None: pushed to main)
    issue: int | None = None  # Jira issue index whose work this is
    reverts: str | None = None  # the SHA a revert commit reverts
    replay_of: str | None = None  # the commit a rebased commit was replayed from

    @property
    def subject(self) -> str:
        return self.message.split("\n", 1)[0]


@dataclass(slots=True, eq=False)
class Review:
    user: Account
    state: str  # APPROVED, CHANGES_REQUESTED, COMMENTED
    submitted_ms: int
    body: str
    commit_id: str = ""
    id: int = 0


@dataclass(slots=True, eq=False)
class PullRequest:
    repo: int
    number: int
    kind: str
    title: str
    body: str
    author: Account
    head_ref: str
    created_ms: int
    draft_at_open: bool
    issue: int | None
    issue_key: str | None
    base_ref: str = "main"
    ready_ms: int | None = None  # drafts: when marked ready for review (None: still a draft)
    pushes: list[tuple[int, tuple[str, ...]]] = field(default_factory=list)  # (ms, commit list) snapshots
    force_pushes: list[tuple[int, str, str]] = field(default_factory=list)  # (ms, before, after)
    reviews: list[Review] = field(default_factory=list)
    requested_reviewers: tuple[Account, ...] = ()
    merged_ms: int | None = None
    merge_sha: str | None = None
    merge_method: str | None = None
    merged_by: Account | None = None
    closed_ms: int | None = None
    branch_deleted_ms: int | None = None
    labels: tuple[str, ...] = ()
    id: int = 0

    def commits_at(self, ms: int) -> tuple[str, ...]:
        """The PR's commits (oldest first) as GitHub listed them at ``ms``."""
        times = [at for at, _ in self.pushes]
        k = bisect_right(times, ms)
        return self.pushes[k - 1][1] if k else ()

    @property
    def final_commits(self) -> tuple[str, ...]:
        return self.pushes[-1][1] if self.pushes else ()

    def ready_at(self) -> int | None:
        """When review could start: ready-for-review for drafts, otherwise when opened."""
        return self.ready_ms if self.draft_at_open else self.created_ms

    def activity(self) -> list[int]:
        """Every instant that bumps ``updated_at``."""
        times = [self.created_ms, *(at for at, _ in self.pushes), *(r.submitted_ms for r in self.reviews)]
        times += [t for t in (self.ready_ms, self.merged_ms, self.closed_ms, self.branch_deleted_ms) if t]
        return sorted(times)


@dataclass(slots=True, eq=False)
class Attempt:
    started_ms: int
    finished_ms: int
    conclusion: str  # success, failure


@dataclass(slots=True, eq=False)
class WorkflowRun:
    repo: int
    name: str  # ci, deploy-production
    event: str
    head_branch: str
    head_sha: str
    created_ms: int
    actor: Account
    attempts: list[Attempt]
    display_title: str
    pull_requests: tuple[PullRequest, ...] = ()
    id: int = 0
    run_number: int = 0

    def attempt_at(self, ms: int) -> tuple[int, Attempt] | None:
        """(1-based number, attempt) of the latest attempt started by ``ms``."""
        started = [(n, a) for n, a in enumerate(self.attempts, 1) if a.started_ms <= ms]
        return started[-1] if started else None


@dataclass(slots=True, eq=False)
class DeploymentStatus:
    state: str  # queued, in_progress, success, failure, inactive
    ms: int
    description: str
    id: int = 0


@dataclass(slots=True, eq=False)
class Deployment:
    repo: int
    environment: str
    sha: str
    ref: str
    kind: str
    created_ms: int
    creator: Account
    description: Any  # str or render_text parts
    statuses: list[DeploymentStatus]
    transient: bool = False
    run: WorkflowRun | None = None
    run_attempt: int = 1
    rollback_of: Deployment | None = None  # the deployment a rollback undoes
    id: int = 0

    @property
    def finished_ms(self) -> int | None:
        """When the deployment ended (its success or failure status)."""
        ends = [s.ms for s in self.statuses if s.state in ("success", "failure", "error")]
        return ends[0] if ends else None

    @property
    def succeeded(self) -> bool:
        return any(s.state == "success" for s in self.statuses)


@dataclass(slots=True, eq=False)
class Tag:
    repo: int
    name: str
    sha: str
    tagger: Account
    ms: int
    message: str
    target_commitish: str
    pulls: tuple[PullRequest, ...] = ()  # what the release notes list
    release_id: int = 0


@dataclass(slots=True, eq=False)
class LogEntry:
    kind: str  # trigger, notify, acknowledge, annotate, resolve
    ms: int
    agent: Any  # an Account-like person (dict) or None for the service
    text: Any = ""  # annotation text (render_text parts)
    id: str = ""


@dataclass(slots=True, eq=False)
class Incident:
    repo: int
    title: str
    description: Any  # render_text parts
    urgency: str
    created_ms: int
    acknowledged_ms: int | None
    resolved_ms: int | None
    responder: int  # person index
    log: list[LogEntry]
    scenario: str = "natural"
    number: int = 0
    id: str = ""
    incident_key: str = ""


@dataclass(eq=False)
class RepoHistory:
    repo: Repository
    commits: list[Commit]
    refs: dict[str, list[tuple[int, str | None]]]  # branch name (or tags/<name>) → (ms, sha or None)
    pulls: list[PullRequest]
    deployments: list[Deployment]
    runs: list[WorkflowRun]
    tags: list[Tag]
    deploy_pulls: dict[Deployment, list[PullRequest]] = field(
        default_factory=dict
    )  # PRs each release shipped
    scenario_deployments: dict[Deployment, str] = field(
        default_factory=dict
    )  # planted scenario by deployment

    def __post_init__(self) -> None:
        self.by_sha = {c.sha: c for c in self.commits}

    def branches_at(self, ms: int) -> dict[str, str]:
        """Branch name → tip SHA at ``ms`` (deleted branches left out)."""
        out = {}
        for name, timeline in self.refs.items():
            times = [at for at, _ in timeline]
            k = bisect_right(times, ms)
            if k and timeline[k - 1][1] is not None:
                out[name] = timeline[k - 1][1]
        return out

    def tags_at(self, ms: int) -> list[Tag]:
        return [t for t in self.tags if t.ms <= ms]


@dataclass(eq=False)
class DeliveryModel:
    repos: tuple[RepoHistory, ...]
    incidents: list[Incident]
    developers: dict[int, Account]
    start_ms: int
    end_ms: int

    def __post_init__(self) -> None:
        self.deployment_by_id = {d.id: d for r in self.repos for d in r.deployments}
        self.incident_by_id = {i.id: i for i in self.incidents}


def render_text(parts: Any) -> str:
    """Text whose parts may name a deployment (its id) or a commit (its SHA)."""
    if isinstance(parts, str):
        return parts
    out = []
    for part in parts:
        if isinstance(part, Deployment):
            out.append(str(part.id))
        elif isinstance(part, Commit):
            out.append(part.sha)
        else:
            out.append(str(part))
    return "".join(out)
