"""One repository's history, simulated event by event in time order: branches and their commits,
pull requests (opened, marked ready, reviewed, rebased, merged or closed), pushes to main, CI runs,
release tags and deployments. Scenario hooks (:mod:`.scenarios`) ride on particular release trains.

Every commit is hashed as it is made (:mod:`.gitobjects`), so later events can name real SHAs: a
revert names the commit it reverts, a hotfix branch starts at the deployed SHA, an incident note
names the commit at fault.
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from extractors.simulation.config import OrgConfig
from extractors.simulation.delivery.catalog import MERGE, OWNER, REBASE, SQUASH, Repository
from extractors.simulation.delivery.files import Changes, Editor
from extractors.simulation.delivery.gitobjects import Blob, Tree, commit_sha, identity_line
from extractors.simulation.delivery.identities import GITHUB_ACTIONS, WEB_FLOW, Account, git_offset
from extractors.simulation.delivery.model import DIRECT as DIRECT_COMMIT
from extractors.simulation.delivery.model import (
    FIXUP,
    INITIAL,
    MERGE_COMMIT,
    ON_DEMAND,
    PREVIEW,
    QA,
    REBASED,
    REDEPLOY,
    ROLLBACK,
    SQUASH_COMMIT,
    STAGING,
    TRAIN,
    Attempt,
    Commit,
    Deployment,
    DeploymentStatus,
    Incident,
    PullRequest,
    RepoHistory,
    Review,
    Tag,
    WorkflowRun,
)
from extractors.simulation.delivery.model import HOTFIX_DEPLOY as HOTFIX_KIND
from extractors.simulation.delivery.plan import DirectPush, PullPlan, sec
from extractors.simulation.delivery.schedule import DEPLOY_LEAD_MS, Cut
from extractors.simulation.timeutil import MINUTE_MS, SECOND_MS

MAIN = "main"
FAILED, FLAKY = "failed", "flaky"


@dataclass(eq=False)
class Branch:
    plan: PullPlan
    tip: str
    tree: Tree
    own: list[str] = field(default_factory=list)  # the branch's own commits, oldest first
    touched: dict[str, Blob | None] = field(default_factory=dict)
    pr: PullRequest | None = None
    gone: bool = False

    def release(self) -> None:
        """Forget the tree once nothing more happens on the branch (memory at large sizes)."""
        self.tree, self.touched = Tree(), {}


@dataclass(eq=False)
class Hook:
    """A scenario riding on the first release train at or after ``after_ms``: ``pre`` changes the
    train's outcome (``failed``, ``flaky``), ``post`` is called with its production deployment."""

    name: str
    after_ms: int
    pre: str | None = None
    post: Callable[[RepoSimulator, Deployment], None] | None = None
    needs_feature_pr: bool = False
    fired: bool = False


class RepoSimulator:
    """Builds one :class:`~extractors.simulation.delivery.model.RepoHistory`."""

    def __init__(self, repo: Repository, config: OrgConfig, developers: list[Account], rng: random.Random):
        self.repo = repo
        self.config = config
        self.developers = developers
        self.rng = rng
        self.editor = Editor(repo, random.Random(rng.getrandbits(64)))
        self.commits: list[Commit] = []
        self.by_sha: dict[str, Commit] = {}
        self.refs: dict[str, list[tuple[int, str | None]]] = {}
        self.pulls: list[PullRequest] = []
        self.deployments: list[Deployment] = []
        self.runs: list[WorkflowRun] = []
        self.tags: list[Tag] = []
        self.incidents: list[Incident] = []
        self.branches: dict[PullPlan, Branch] = {}
        self.before: dict[str, Changes] = {}  # main-line commits: the versions their changes replaced
        self.trees: dict[str, Tree] = {}  # deployed SHAs: their trees (hotfix branches start there)
        self.main_sha = ""
        self.main_tree = Tree()
        self.last_prod: Deployment | None = None  # the running production deployment
        self.prod_history: list[Deployment] = []
        self.unreleased: list[PullRequest] = []
        self.deploy_pulls: dict[Deployment, list[PullRequest]] = {}
        self.hooks: list[Hook] = []
        self.after_next_deploy: list[Callable[[Deployment], None]] = []
        self.quiet_until = 0
        self.flaky_ci_after: int | None = None
        self.scenario_deployments: dict[Deployment, str] = {}
        self._queue: list[tuple[int, int, Callable[..., None], tuple[Any, ...]]] = []
        self._seq = 0

    # the event loop

    def at(self, ms: int, fn: Callable[..., None], *args: Any) -> None:
        heapq.heappush(self._queue, (ms, self._seq, fn, args))
        self._seq += 1

    def run(self) -> RepoHistory:
        while self._queue:
            ms, _, fn, args = heapq.heappop(self._queue)
            fn(ms, *args)
        return RepoHistory(
            self.repo,
            self.commits,
            self.refs,
            self.pulls,
            self.deployments,
            self.runs,
            self.tags,
            self.deploy_pulls,
            self.scenario_deployments,
        )

    # commits and refs

    def set_ref(self, name: str, ms: int, sha: str | None) -> None:
        timeline = self.refs.setdefault(name, [])
        if timeline and timeline[-1][0] == ms:
            timeline[-1] = (ms, sha)
        else:
            timeline.append((ms, sha))

    def commit(
        self,
        author_ms: int,
        author: Account,
        parents: tuple[str, ...],
        base: Tree,
        changes: Changes,
        message: str,
        kind: str,
        *,
        committer: Account | None = None,
        committer_ms: int | None = None,
        pr: PullRequest | None = None,
        issue: int | None = None,
        reverts: str | None = None,
        replay_of: str | None = None,
    ) -> tuple[Commit, Tree]:
        tree = base.apply(changes)
        committer = committer or author
        committer_ms = author_ms if committer_ms is None else committer_ms
        a_tz, c_tz = git_offset(author_ms, author.time_zone), git_offset(committer_ms, committer.time_zone)
        sha = commit_sha(
            tree.hex,
            parents,
            identity_line(author.name, author.email, author_ms, a_tz),
            identity_line(committer.name, committer.email, committer_ms, c_tz),
            message,
        )
        commit = Commit(
            sha,
            self.repo.index,
            len(self.commits),
            parents,
            tree.hex,
            author,
            author_ms,
            a_tz,
            committer,
            committer_ms,
            c_tz,
            message,
            changes,
            kind,
            pr,
            issue,
            reverts,
            replay_of,
        )
        if sha in self.by_sha:  # identical content, parents and instants: the same object
            return self.by_sha[sha], tree
        self.commits.append(commit)
        self.by_sha[sha] = commit
        return commit, tree

    def to_main(self, ms: int, commit: Commit, tree: Tree) -> None:
        self.before[commit.sha] = tuple((p, self.main_tree.get(p)) for p, _ in commit.changes)
        self.main_sha, self.main_tree = commit.sha, tree
        self.set_ref(MAIN, ms, commit.sha)

    def initial(self, ms: int, author: Account) -> None:
        commit, tree = self.commit(
            ms, author, (), Tree(), self.editor.initial(), f"Initial import of {self.repo.name}\n", INITIAL
        )
        self.to_main(ms, commit, tree)

    def direct(self, ms: int, push: DirectPush) -> None:
        if push.path is None:
            module = self.repo.modules[ms // MINUTE_MS % len(self.repo.modules)]
            changes = self.editor.edit(self.main_tree, module)
        else:
            changes = self.editor.touch(self.main_tree, push.path)
        commit, tree = self.commit(
            ms, push.author, (self.main_sha,), self.main_tree, changes, push.message, DIRECT_COMMIT
        )
        self.to_main(ms, commit, tree)
        self.ci(ms + 10 * SECOND_MS, MAIN, commit.sha, "push", None, push.message.split("\n")[0])

    # pull requests

    def add_pull(self, plan: PullPlan) -> None:
        """Schedule every event of a plan."""
        first_ms, first_message = plan.commits[0]
        self.at(first_ms, self.start_branch, plan, first_message)
        for ms, message in plan.commits[1:]:
            self.at(ms, self.push, plan, message, plan.commit_kind)
        for ms, message in plan.fixups:
            self.at(ms, self.push, plan, message, FIXUP)
        for ms, fn in (
            (plan.rebase_ms, self.rebase),
            (plan.open_ms, self.open),
            (plan.ready_ms, self.ready),
            (plan.qa_ms, self.qa),
            (plan.merge_ms, self.merge),
            (plan.close_ms, self.close),
        ):
            if ms is not None:
                self.at(ms, fn, plan)
        for ms, user, state, body in plan.reviews:
            self.at(ms, self.review, plan, user, state, body)

    def start_branch(self, ms: int, plan: PullPlan, message: str) -> None:
        base = plan.base_sha or self.main_sha
        tree = self.trees[base] if plan.base_sha else self.main_tree
        self.branches[plan] = Branch(plan, base, tree)
        self.push(ms, plan, message, plan.commit_kind, new_file=plan.new_file)

    def push(self, ms: int, plan: PullPlan, message: str, kind: str, new_file: str | None = None) -> None:
        b = self.branches.get(plan)
        if b is None or b.gone:
            return
        if plan.reverts is not None:
            changes = self.before[plan.reverts]
        elif plan.module is None:
            changes = self.editor.bump_manifest(b.tree)
        else:
            changes = self.editor.edit(b.tree, plan.module, new_file)
        commit, b.tree = self.commit(
            ms,
            plan.author,
            (b.tip,),
            b.tree,
            changes,
            message,
            kind,
            committer=plan.committer,
            pr=b.pr,
            issue=plan.issue,
            reverts=plan.reverts,
        )
        b.tip = commit.sha
        b.own.append(commit.sha)
        b.touched.update(changes)
        self.set_ref(plan.branch, ms, b.tip)
        if b.pr is not None:
            b.pr.pushes.append((ms, tuple(b.own)))
            self.ci(ms + 20 * SECOND_MS, plan.branch, b.tip, "pull_request", b.pr, b.pr.title)

    def rebase(self, ms: int, plan: PullPlan) -> None:
        """The author rebases the branch onto main's tip and force-pushes (author dates stay)."""
        b = self.branches.get(plan)
        if b is None or b.gone or b.tip == self.main_sha:
            return
        before, parent, tree, replayed = b.tip, self.main_sha, self.main_tree, []
        for sha in b.own:
            old = self.by_sha[sha]
            commit, tree = self.commit(
                old.author_ms,
                old.author,
                (parent,),
                tree,
                old.changes,
                old.message,
                old.kind,
                committer=old.committer,
                committer_ms=ms,
                pr=b.pr,
                issue=old.issue,
                replay_of=old.sha,
            )
            parent = commit.sha
            replayed.append(commit.sha)
        b.tip, b.tree, b.own = parent, tree, replayed
        self.set_ref(plan.branch, ms, b.tip)
        if b.pr is not None:
            b.pr.pushes.append((ms, tuple(b.own)))
            b.pr.force_pushes.append((ms, before, b.tip))
            self.ci(ms + 20 * SECOND_MS, plan.branch, b.tip, "pull_request", b.pr, b.pr.title)

    def open(self, ms: int, plan: PullPlan) -> None:
        b = self.branches.get(plan)
        if b is None or b.gone:
            return
        pr = PullRequest(
            self.repo.index,
            len(self.pulls) + 1,
            plan.kind,
            plan.title,
            plan.body,
            plan.author,
            plan.branch,
            ms,
            plan.draft,
            plan.issue,
            plan.issue_key,
            labels=plan.labels,
            requested_reviewers=plan.reviewers,
        )
        pr.pushes.append((ms, tuple(b.own)))
        for sha in b.own:
            self.by_sha[sha].pr = pr
        b.pr = pr
        self.pulls.append(pr)
        self.ci(ms + 20 * SECOND_MS, plan.branch, b.tip, "pull_request", pr, pr.title)
        if plan.preview and not plan.draft:
            self.preview(ms + 3 * MINUTE_MS, b)

    def ready(self, ms: int, plan: PullPlan) -> None:
        b = self.branches.get(plan)
        if b is None or b.pr is None or b.pr.closed_ms is not None:
            return
        b.pr.ready_ms = ms
        if plan.preview:
            self.preview(ms + 3 * MINUTE_MS, b)

    def review(self, ms: int, plan: PullPlan, user: Account, state: str, body: str) -> None:
        b = self.branches.get(plan)
        if b is None or b.pr is None or b.pr.closed_ms is not None:
            return
        b.pr.reviews.append(Review(user, state, ms, body, b.tip))

    def merge(self, ms: int, plan: PullPlan) -> None:
        b = self.branches.get(plan)
        if b is None or b.gone or b.pr is None or b.pr.closed_ms is not None:
            return
        pr = b.pr
        overlay = tuple((p, blob) for p, blob in sorted(b.touched.items()) if self.main_tree.get(p) != blob)
        method = plan.merge_method
        if method == MERGE:
            message = f"Merge pull request #{pr.number} from {OWNER}/{plan.branch}\n\n{pr.title}\n"
            commit, tree = self.commit(
                ms,
                plan.merged_by or plan.author,
                (self.main_sha, b.tip),
                self.main_tree,
                overlay,
                message,
                MERGE_COMMIT,
                committer=WEB_FLOW,
                pr=pr,
                issue=plan.issue,
            )
            self.to_main(ms, commit, tree)
        elif method == SQUASH:
            lines = [self.by_sha[s].subject for s in b.own]
            body = (
                "\n\n".join(f"* {line}" for line in lines)
                if len(lines) > 1
                else self.by_sha[b.own[-1]].message.partition("\n")[2].strip()
            )
            message = f"{pr.title} (#{pr.number})\n" + (f"\n{body}\n" if body else "")
            commit, tree = self.commit(
                ms,
                plan.author,
                (self.main_sha,),
                self.main_tree,
                overlay,
                message,
                SQUASH_COMMIT,
                committer=WEB_FLOW,
                pr=pr,
                issue=plan.issue,
                reverts=plan.reverts,
            )
            self.to_main(ms, commit, tree)
        else:
            assert method == REBASE
            for sha in b.own:
                old = self.by_sha[sha]
                commit, tree = self.commit(
                    old.author_ms,
                    old.author,
                    (self.main_sha,),
                    self.main_tree,
                    old.changes,
                    old.message,
                    REBASED,
                    committer=WEB_FLOW,
                    committer_ms=ms,
                    pr=pr,
                    issue=old.issue,
                    reverts=old.reverts,
                    replay_of=old.sha,
                )
                self.to_main(ms, commit, tree)
        pr.merged_ms = pr.closed_ms = ms
        pr.merge_sha, pr.merge_method, pr.merged_by = self.main_sha, method, plan.merged_by or plan.author
        self.unreleased.append(pr)
        self.ci(ms + 15 * SECOND_MS, MAIN, self.main_sha, "push", None, pr.title)
        if not plan.keep_branch:
            self.delete_branch(ms + 2 * SECOND_MS, b)
        if plan.on_merged is not None:
            plan.on_merged(ms, pr)
        else:
            b.release()

    def close(self, ms: int, plan: PullPlan) -> None:
        b = self.branches.get(plan)
        if b is None or b.gone:
            return
        if b.pr is not None:
            if b.pr.closed_ms is not None:
                return
            b.pr.closed_ms = ms
        self.delete_branch(ms + 2 * SECOND_MS if b.pr else ms, b)
        b.release()

    def delete_branch(self, ms: int, b: Branch) -> None:
        b.gone = True
        self.set_ref(b.plan.branch, ms, None)
        if b.pr is not None:
            b.pr.branch_deleted_ms = ms

    # CI

    def ci(
        self, ms: int, branch: str, sha: str, event: str, pr: PullRequest | None, title: str
    ) -> WorkflowRun:
        rng = self.rng
        start = sec(ms)
        duration = rng.randrange(240, 540) * SECOND_MS
        flaky = event == "push" and self.flaky_ci_after is not None and ms >= self.flaky_ci_after
        if flaky:
            self.flaky_ci_after = None
            retry = start + duration + 9 * MINUTE_MS
            attempts = [
                Attempt(start, start + duration, "failure"),
                Attempt(retry, retry + duration, "success"),
            ]
        else:
            failed = event == "pull_request" and rng.random() < 0.05
            attempts = [Attempt(start, start + duration, "failure" if failed else "success")]
        run = WorkflowRun(
            self.repo.index,
            "ci",
            event,
            branch,
            sha,
            start,
            pr.author if pr else GITHUB_ACTIONS,
            attempts,
            title,
            (pr,) if pr else (),
        )
        self.runs.append(run)
        return run

    # deployments

    def deployment(
        self,
        environment: str,
        sha: str,
        ref: str,
        kind: str,
        start: int,
        run: WorkflowRun | None,
        duration: int,
        outcome: str,
        *,
        attempt: int = 1,
        transient: bool = False,
        description: Any = "",
        rollback_of: Deployment | None = None,
    ) -> Deployment:
        start = sec(start)
        statuses = [
            DeploymentStatus("queued", start, ""),
            DeploymentStatus("in_progress", start + self.rng.randrange(10, 40) * SECOND_MS, ""),
            DeploymentStatus(
                outcome,
                start + sec(duration),
                "Deployment finished successfully." if outcome == "success" else "Deployment failed.",
            ),
        ]
        d = Deployment(
            self.repo.index,
            environment,
            sha,
            ref,
            kind,
            start,
            GITHUB_ACTIONS,
            description,
            statuses,
            transient,
            run,
            attempt,
            rollback_of,
        )
        self.deployments.append(d)
        return d

    def duration(self) -> int:
        return self.rng.randrange(240, 720) * SECOND_MS

    def tag(self, ms: int, sha: str, target: str, pulls: list[PullRequest]) -> Tag:
        day = datetime.fromtimestamp(ms // 1000, UTC).date()
        n = 1 + sum(1 for t in self.tags if datetime.fromtimestamp(t.ms // 1000, UTC).date() == day)
        name = f"v{day:%Y.%m.%d}.{n}"
        tag = Tag(
            self.repo.index, name, sha, GITHUB_ACTIONS, sec(ms), f"Release {name}\n", target, tuple(pulls)
        )
        self.tags.append(tag)
        self.set_ref(f"tags/{name}", tag.ms, sha)
        return tag

    def deploy_run(
        self, ms: int, event: str, branch: str, sha: str, title: str, actor: Account
    ) -> WorkflowRun:
        run = WorkflowRun(self.repo.index, "deploy-production", event, branch, sha, sec(ms), actor, [], title)
        self.runs.append(run)
        return run

    def succeeded(self, d: Deployment, tree: Tree, pulls: list[PullRequest]) -> None:
        self.last_prod = d
        self.prod_history.append(d)
        self.trees[d.sha] = tree
        self.deploy_pulls[d] = pulls
        if d.kind in (TRAIN, ON_DEMAND):
            callbacks, self.after_next_deploy = self.after_next_deploy, []
            for callback in callbacks:
                callback(d)

    def cut(self, ms: int, cut: Cut) -> None:
        """A deploy cut: main's tip goes to staging and production when it has something new."""
        if ms < self.quiet_until or (self.last_prod is not None and self.main_sha == self.last_prod.sha):
            return
        hook = self.take_hook(ms) if cut.kind == TRAIN else None
        self.forward(ms, cut.kind, cut.eu, hook)

    def take_hook(self, ms: int) -> Hook | None:
        for hook in self.hooks:
            if hook.fired or hook.after_ms > ms:
                continue
            if hook.needs_feature_pr and not any(p.kind == "feature" for p in self.unreleased):
                return None
            hook.fired = True
            return hook
        return None

    def forward(self, ms: int, kind: str, eu: bool = False, hook: Hook | None = None) -> Deployment | None:
        """Tag main's tip and run ``deploy-production``: staging, production (and prod-eu)."""
        sha, tree, pulls = self.main_sha, self.main_tree, self.unreleased
        self.unreleased = []
        tag = self.tag(ms + MINUTE_MS, sha, MAIN, pulls)
        run = self.deploy_run(tag.ms + 30 * SECOND_MS, "push", tag.name, sha, tag.name, GITHUB_ACTIONS)
        staging = self.deployment(
            STAGING, sha, tag.name, STAGING, run.created_ms + 20 * SECOND_MS, run, self.duration(), "success"
        )
        lead = DEPLOY_LEAD_MS if kind == TRAIN else 12 * MINUTE_MS
        start = max(ms + lead + self.rng.randrange(0, 180) * SECOND_MS, staging.finished_ms + MINUTE_MS)
        outcome = hook.pre if hook is not None else None
        if outcome == FAILED:
            failed = self.deployment("production", sha, tag.name, kind, start, run, 4 * MINUTE_MS, "failure")
            run.attempts = [Attempt(run.created_ms, failed.finished_ms, "failure")]
            self.scenario_deployments[failed] = hook.name
            self.unreleased = pulls + self.unreleased
            return None
        attempts, attempt_started = [], run.created_ms
        if outcome == FLAKY:  # the production job fails; "re-run failed jobs" makes attempt 2 of the run
            failed = self.deployment("production", sha, tag.name, kind, start, run, 3 * MINUTE_MS, "failure")
            attempts.append(Attempt(run.created_ms, failed.finished_ms, "failure"))
            self.scenario_deployments[failed] = hook.name
            attempt_started = failed.finished_ms + 15 * MINUTE_MS
            start = attempt_started + 30 * SECOND_MS
        d = self.deployment(
            "production",
            sha,
            tag.name,
            kind,
            start,
            run,
            self.duration(),
            "success",
            attempt=len(attempts) + 1,
        )
        attempts.append(Attempt(attempt_started, d.finished_ms, "success"))
        if eu:
            e = self.deployment(
                "prod-eu",
                sha,
                tag.name,
                kind,
                d.finished_ms + MINUTE_MS,
                run,
                self.duration(),
                "success",
                attempt=d.run_attempt,
            )
            attempts[-1].finished_ms = e.finished_ms
        run.attempts = attempts
        self.succeeded(d, tree, pulls)
        if hook is not None:
            self.scenario_deployments[d] = hook.name
            if hook.post is not None:
                hook.post(self, d)
        return d

    def special(
        self,
        ms: int,
        kind: str,
        sha: str,
        ref: str,
        description: Any,
        *,
        rollback_of: Deployment | None = None,
        tree: Tree | None = None,
        pulls: list[PullRequest] | None = None,
    ) -> Deployment:
        """A dispatched production deployment: a rollback, a redeploy or a hotfix."""
        run = self.deploy_run(
            ms, "workflow_dispatch", ref, sha, f"Deploy {ref} to production", self.developers[0]
        )
        d = self.deployment(
            "production",
            sha,
            ref,
            kind,
            ms + 30 * SECOND_MS,
            run,
            self.duration(),
            "success",
            description=description,
            rollback_of=rollback_of,
        )
        run.attempts = [Attempt(run.created_ms, d.finished_ms, "success")]
        self.succeeded(d, tree or self.trees[sha], pulls or [])
        return d

    def rollback(self, ms: int, to: Deployment, of: Deployment) -> Deployment:
        return self.special(ms, ROLLBACK, to.sha, to.ref, f"Rollback to {to.ref}", rollback_of=of)

    def redeploy(self, ms: int, current: Deployment) -> Deployment:
        return self.special(
            ms, REDEPLOY, current.sha, current.ref, f"Redeploy {current.ref} (configuration refresh)"
        )

    def hotfix(self, ms: int, sha: str, branch: str, tree: Tree, pulls: list[PullRequest]) -> Deployment:
        self.tag(ms - MINUTE_MS, sha, branch, pulls)
        return self.special(ms, HOTFIX_KIND, sha, branch, f"Hotfix from {branch}", tree=tree, pulls=pulls)

    def qa(self, ms: int, plan: PullPlan) -> None:
        b = self.branches.get(plan)
        if b is None or b.gone or b.pr is None:
            return
        self.deployment(QA, b.tip, plan.branch, QA, ms, None, self.duration(), "success")

    def preview(self, ms: int, b: Branch) -> None:
        if b.gone or b.pr is None:
            return
        self.deployment(
            f"preview-{b.pr.number}",
            b.tip,
            b.plan.branch,
            PREVIEW,
            ms,
            None,
            3 * MINUTE_MS,
            "success",
            transient=True,
        )
