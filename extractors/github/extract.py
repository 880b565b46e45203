"""Incremental GitHub extraction, repository by repository and entity by entity.

Cursors live in ``meta.cursors`` under the connection name, entity ``<owner/repo>:<entity>``:

* ``pull_requests`` — the newest ``updated_at`` of a completed walk. The listing runs newest-first and
  stops at the first pull request older than ``cursor − overlap``. Pull requests whose
  ``(id, updated_at)`` already landed are skipped; for the others the PR, its commits and its reviews
  land together, one checkpoint per listing page. An interrupted walk leaves the cursor where it was,
  and the re-run skips what the interrupted one landed.
* ``deployments`` — JSON ``{"created_at", "open": {id: created_at}}``: newest-first listing down to
  ``created_at − overlap``; statuses are read for new deployments and for those whose latest status
  was not terminal (success, failure, error, inactive) last time, for ``deployment_follow_days``.
* ``workflow_runs`` — the end of the last completed ``created`` range. Each run re-reads from
  ``cursor − max(overlap, run_lookback_days)``, so a re-run (same id, new ``run_attempt`` and
  ``updated_at``) lands again as a new version. Ranges holding 1,000 runs or more (GitHub's cap for
  filtered listings) are halved until they do not; ranges are read oldest first and each completed
  range checkpoints the cursor.
* releases — no cursor: every release, every run (they are few); unchanged ones dedupe by hash.

One repository failing (no access, say) does not stop the others; the run fails at the end naming it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from extractors.common.http import HttpStatusError, SourceError
from extractors.common.raw_store import RawRecord, RawStore
from extractors.github.client import GitHubClient
from extractors.github.config import GitHubSourceConfig
from extractors.github.incremental import (
    GITHUB_EPOCH,
    DeploymentCursor,
    created_qualifier,
    github_time,
    is_terminal,
    latest_state,
    lower_bound,
    newest,
    optional_time,
    parse_github_time,
    split_fresh,
    split_range,
    whole_seconds,
)

log = logging.getLogger("streamgauge.github")

PULL_REQUESTS = "github_pull_requests"
PR_COMMITS = "github_pull_request_commits"
PR_REVIEWS = "github_pull_request_reviews"
PR_TIMELINE = "github_pull_request_timeline"
DEPLOYMENTS = "github_deployments"
DEPLOYMENT_STATUSES = "github_deployment_statuses"
WORKFLOW_RUNS = "github_workflow_runs"
RELEASES = "github_releases"
GITHUB_TABLES = (
    PULL_REQUESTS,
    PR_COMMITS,
    PR_REVIEWS,
    PR_TIMELINE,
    DEPLOYMENTS,
    DEPLOYMENT_STATUSES,
    WORKFLOW_RUNS,
    RELEASES,
)
MAX_FILTERED_RUNS = 1000
FOLLOW_CHECKPOINT_EVERY = 50


@dataclass
class GitHubExtractionReport:
    source: str
    batch_id: str = ""
    received: dict[str, int] = field(default_factory=dict)
    landed: dict[str, int] = field(default_factory=dict)
    failed_repositories: dict[str, str] = field(default_factory=dict)
    requests: int = 0
    retries: int = 0
    waited_seconds: float = 0.0

    def add(self, counts: dict[str, int], into: dict[str, int]) -> None:
        """Add per-table counts into ``into`` (tables with nothing stay absent)."""
        for table, count in counts.items():
            if count:
                into[table] = into.get(table, 0) + count

    def tally(self) -> tuple[int, int]:
        """(records received, records landed) so far."""
        return sum(self.received.values()), sum(self.landed.values())


def page_items(page: Any, source: str, request: str, key: str | None = None) -> list[dict[str, Any]]:
    """The objects of one list page (``page[key]`` for wrapped lists such as ``workflow_runs``)."""
    items = page.get(key) if key and isinstance(page, dict) else page
    if not isinstance(items, list):
        raise SourceError(f"{source}: {request} did not return a list{f' under `{key}`' if key else ''}")
    return items


def require_id(item: Mapping[str, Any], source: str, what: str) -> str:
    value = item.get("id")
    if value is None:
        raise SourceError(f"{source}: a {what} without `id` ({str(item)[:80]})")
    return str(value)


def timeline_record(pr_id: str, event: Mapping[str, Any]) -> RawRecord:
    """Timeline events carry an ``id`` (or, for commits, a ``sha``); keyed within their PR."""
    key = event.get("id") or event.get("node_id") or event.get("sha")
    if key is None:
        key = f"{event.get('event')}@{event.get('created_at')}"
    return RawRecord(f"{pr_id}:{key}", dict(event), pr_id)


def landed_values(
    store: RawStore, table: str, source: str, ids: Iterable[str], json_key: str
) -> set[tuple[str, str | None]]:
    """``(record_id, payload->>json_key)`` pairs already landed for ``ids``."""
    wanted = sorted(set(ids))
    if not wanted:
        return set()
    store.ensure_table(table)
    rows = store.con.execute(
        f"""
        SELECT DISTINCT record_id, payload->>'{json_key}' FROM raw.{table}
        WHERE source = ? AND record_id IN (SELECT unnest(?::VARCHAR[]))""",
        [source, wanted],
    ).fetchall()
    return {(record_id, value) for record_id, value in rows}


def extract_github(
    client: GitHubClient,
    store: RawStore,
    config: GitHubSourceConfig,
    *,
    now: datetime | None = None,
    progress: Callable[[str], None] = log.info,
) -> GitHubExtractionReport:
    """Run one incremental extraction of every repository of ``config`` into ``store``."""
    report = GitHubExtractionReport(source=config.name)
    run_time = whole_seconds(now or datetime.now(UTC))
    with store.batch(config.name, "github", report.tally) as report.batch_id:
        for repository in config.repositories:
            try:
                _Repository(
                    client, store, config, repository, report.batch_id, report, run_time, progress
                ).run()
            except Exception as exc:  # one repository must not stop the others
                store.discard_pending()
                report.failed_repositories[repository] = f"{type(exc).__name__}: {exc}"
                progress(f"{config.name}: {repository} failed: {exc}")
        if report.failed_repositories:
            raise SourceError(
                f"{config.name}: extraction failed for {len(report.failed_repositories)} "
                f"repositories: " + "; ".join(f"{r}: {m}" for r, m in report.failed_repositories.items())
            )
    stats = client.api.stats
    report.requests, report.retries, report.waited_seconds = (
        stats.requests,
        stats.retries,
        stats.waited_seconds,
    )
    progress(
        f"{config.name}: received {report.received}; landed {report.landed}; "
        f"{report.requests} requests, {report.retries} retries"
    )
    return report


class _Repository:
    """One repository's extraction: the four entities in turn, each checkpointing its own cursor."""

    def __init__(
        self,
        client: GitHubClient,
        store: RawStore,
        config: GitHubSourceConfig,
        repository: str,
        batch_id: str,
        report: GitHubExtractionReport,
        now: datetime,
        progress: Callable[[str], None],
    ):
        self.client, self.store, self.config, self.repo = client, store, config, repository
        self.batch_id, self.report, self.now, self.progress = batch_id, report, now, progress
        self.overlap = timedelta(minutes=config.overlap_minutes)

    @property
    def source(self) -> str:
        return self.config.name

    def run(self) -> None:
        self.pull_requests()
        self.deployments()
        self.workflow_runs()
        self.releases()
        self.progress(f"{self.source}: {self.repo} done")

    # -- helpers --------------------------------------------------------------------------------
    def stage(self, table: str, records: list[RawRecord], request: str) -> None:
        self.store.stage(table, self.source, records, request=request, batch_id=self.batch_id)
        self.report.add({table: len(records)}, self.report.received)

    def checkpoint(self, cursors: Mapping[str, str] | None = None) -> None:
        keyed = {(self.source, f"{self.repo}:{entity}"): value for entity, value in (cursors or {}).items()}
        self.report.add(self.store.checkpoint(keyed), self.report.landed)

    def cursor(self, entity: str) -> str | None:
        return self.store.cursor(self.source, f"{self.repo}:{entity}")

    def records(self, items: list[dict[str, Any]], what: str, parent: str) -> list[RawRecord]:
        return [RawRecord(require_id(item, self.source, what), item, parent) for item in items]

    # -- pull requests --------------------------------------------------------------------------
    def pull_requests(self) -> None:
        cursor = optional_time(self.cursor("pull_requests"))
        threshold = lower_bound(cursor, self.overlap, self.config.history_start)
        seen_newest = cursor
        for request, page in self.client.pulls(self.repo):
            items = page_items(page, self.source, request)
            fresh, done = split_fresh(items, "updated_at", threshold)
            seen_newest = newest(seen_newest, fresh, "updated_at")
            known = landed_values(
                self.store,
                PULL_REQUESTS,
                self.source,
                (require_id(pr, self.source, "pull request") for pr in fresh),
                "updated_at",
            )
            changed = [pr for pr in fresh if (str(pr["id"]), pr["updated_at"]) not in known]
            self.stage(PULL_REQUESTS, self.records(changed, "pull request", self.repo), request)
            for pr in changed:
                self.pull_request_children(pr)
            self.checkpoint()
            if done:
                break
        if seen_newest is not None:
            self.checkpoint({"pull_requests": github_time(seen_newest)})

    def pull_request_children(self, pr: dict[str, Any]) -> None:
        pr_id, number = str(pr["id"]), pr["number"]
        for request, page in self.client.pull_commits(self.repo, number):
            commits = page_items(page, self.source, request)
            self.stage(PR_COMMITS, [RawRecord(f"{pr_id}:{c['sha']}", c, pr_id) for c in commits], request)
        for request, page in self.client.pull_reviews(self.repo, number):
            reviews = page_items(page, self.source, request)
            self.stage(PR_REVIEWS, self.records(reviews, "review", pr_id), request)
        for request, page in self.client.pull_timeline(self.repo, number):
            events = page_items(page, self.source, request)
            self.stage(PR_TIMELINE, [timeline_record(pr_id, event) for event in events], request)

    # -- deployments ----------------------------------------------------------------------------
    def deployments(self) -> None:
        state = DeploymentCursor.parse(self.cursor("deployments"))
        threshold = lower_bound(state.created_at, self.overlap, self.config.history_start)
        seen_newest, following, listed = state.created_at, dict(state.open), set()
        for request, page in self.client.deployments(self.repo):
            fresh, done = split_fresh(page_items(page, self.source, request), "created_at", threshold)
            records = self.records(fresh, "deployment", self.repo)
            landed = landed_values(self.store, DEPLOYMENTS, self.source, (r.record_id for r in records), "id")
            known = {record_id for record_id, _ in landed}
            self.stage(DEPLOYMENTS, records, request)
            for deployment in fresh:
                deployment_id = str(deployment["id"])
                listed.add(deployment_id)
                if deployment_id not in known or deployment_id in following:
                    self.follow_deployment(deployment_id, deployment["created_at"], following)
            seen_newest = newest(seen_newest, fresh, "created_at")
            self.checkpoint({"deployments": DeploymentCursor(state.created_at, following).dump()})
            if done:
                break
        horizon = self.now - timedelta(days=self.config.deployment_follow_days)
        pending = 0
        for deployment_id, created_at in sorted(following.items()):
            if deployment_id in listed:
                continue
            if parse_github_time(created_at) < horizon:
                following.pop(deployment_id)  # never reached a terminal status: stop asking
                continue
            self.follow_deployment(deployment_id, created_at, following)
            pending += 1
            if pending % FOLLOW_CHECKPOINT_EVERY == 0:
                self.checkpoint({"deployments": DeploymentCursor(state.created_at, following).dump()})
        self.checkpoint({"deployments": DeploymentCursor(seen_newest, following).dump()})

    def follow_deployment(self, deployment_id: str, created_at: str, following: dict[str, str]) -> None:
        """Land a deployment's statuses; keep following it unless its latest status is terminal."""
        statuses: list[dict[str, Any]] = []
        try:
            for request, page in self.client.deployment_statuses(self.repo, deployment_id):
                items = page_items(page, self.source, request)
                records = self.records(items, "deployment status", deployment_id)
                self.stage(DEPLOYMENT_STATUSES, records, request)
                statuses += [
                    {"id": s["id"], "created_at": s["created_at"], "state": s.get("state")} for s in items
                ]
        except HttpStatusError as exc:
            if exc.status != 404:
                raise
            following.pop(deployment_id, None)  # the deployment was deleted
            return
        if is_terminal(latest_state(statuses)):
            following.pop(deployment_id, None)
        else:
            following[deployment_id] = created_at

    # -- workflow runs --------------------------------------------------------------------------
    def workflow_runs(self) -> None:
        cursor = optional_time(self.cursor("workflow_runs"))
        back = max(self.overlap, timedelta(days=self.config.run_lookback_days))
        since = lower_bound(cursor, back, self.config.history_start) or GITHUB_EPOCH
        high = cursor
        ranges = [(whole_seconds(since), self.now)]
        while ranges:
            low, up = ranges.pop()
            if low > up:
                continue
            if not self.read_run_range(low, up, ranges):
                continue  # split: the halves are on the stack, oldest on top
            high = up if high is None else max(high, up)
            self.checkpoint({"workflow_runs": github_time(high)})

    def read_run_range(self, low: datetime, up: datetime, ranges: list[tuple[datetime, datetime]]) -> bool:
        """Land the runs created in ``[low, up]``; False (and the halves pushed) when there are too many."""
        pages = self.client.workflow_runs(self.repo, created_qualifier(low, up))
        first = True
        for request, page in pages:
            total = page.get("total_count") if isinstance(page, dict) else None
            if first and isinstance(total, int) and total >= MAX_FILTERED_RUNS:
                if up - low >= timedelta(seconds=1):
                    older, newer = split_range(low, up)
                    ranges += [newer, older]
                    pages.close()
                    return False
                log.warning(
                    "%s: %s has %d runs created in one second; GitHub returns 1000",
                    self.source,
                    self.repo,
                    total,
                )
            first = False
            runs = page_items(page, self.source, request, "workflow_runs")
            self.stage(WORKFLOW_RUNS, self.records(runs, "workflow run", self.repo), request)
        return True

    # -- releases -------------------------------------------------------------------------------
    def releases(self) -> None:
        for request, page in self.client.releases(self.repo):
            self.stage(
                RELEASES, self.records(page_items(page, self.source, request), "release", self.repo), request
            )
        self.checkpoint()
