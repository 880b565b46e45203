"""Incremental extraction of one local clone: commits from every ref, and the refs themselves.

The cursor (``meta.cursors``, entity ``refs``) is the JSON map ``{ref: commit sha}`` of the ref tips
landed by the last successful run. Every commit reachable from those tips is already in
``raw.git_commits``, so one run:

1. lists the refs (branches, remote-tracking branches, tags; annotated tags peeled to their commit);
2. keeps, as the *exclusion set*, the known tips that still exist and are still in the history of a
   current ref: a tip that was force-pushed away or garbage-collected is dropped, so a rewritten
   history is simply walked again (its commits are new SHAs; shared ones land once, by hash);
3. streams ``git log <current tips> --not <exclusion set>``, staging commits in chunks and
   checkpointing every ``checkpoint_every_commits`` (an interrupted run re-walks and lands nothing twice);
4. lands every ref's state (unchanged ones dedupe), a ``"deleted": true`` record for each ref that
   vanished, and the new cursor, in one final checkpoint.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from extractors.common.raw_store import RawRecord, RawStore
from extractors.git.config import GitSourceConfig
from extractors.git.parse import RefState, deleted_ref_payload, dump_cursor, parse_cursor
from extractors.git.repo import GitRepository

log = logging.getLogger("streamgauge.git")

COMMITS = "git_commits"
REFS = "git_refs"
GIT_TABLES = (COMMITS, REFS)
CURSOR_ENTITY = "refs"


@dataclass
class GitExtractionReport:
    source: str
    batch_id: str = ""
    refs: int = 0
    deleted_refs: int = 0
    walked_tips: int = 0
    excluded_tips: int = 0
    dropped_tips: int = 0
    commits_received: int = 0
    landed: dict[str, int] = field(default_factory=dict)

    def add_landed(self, counts: Mapping[str, int]) -> None:
        for table, count in counts.items():
            if count:
                self.landed[table] = self.landed.get(table, 0) + count

    def tally(self) -> tuple[int, int]:
        """(records received, records landed) so far."""
        return self.commits_received + self.refs, sum(self.landed.values())


def usable_known_tips(
    known: Mapping[str, str],
    current: Mapping[str, RefState],
    existing: set[str],
    is_ancestor: Callable[[str, str], bool],
    reachable: Callable[[str], bool],
) -> set[str]:
    """The known tips that may exclude history from the walk.

    A known tip qualifies when its commit still exists and is still in the history of a current ref:
    its own ref's new tip (a fast-forward, checked first because it is the common case), or any
    ref's. Everything reachable from such a tip was landed by an earlier run.
    """
    current_tips = {state.sha for state in current.values() if state.sha}
    usable: set[str] = set()
    undecided: set[str] = set()
    for ref, sha in known.items():
        if sha not in existing or sha in usable:
            continue
        now = current.get(ref)
        if sha in current_tips or (now is not None and now.sha and is_ancestor(sha, now.sha)):
            usable.add(sha)
        else:
            undecided.add(sha)
    usable.update(sha for sha in undecided - usable if reachable(sha))
    return usable


def commit_record(commit: dict[str, Any], repository: str) -> RawRecord:
    return RawRecord(record_id=commit["sha"], payload=commit, parent_id=repository)


def last_ref_payloads(store: RawStore, source: str, refs: list[str]) -> dict[str, dict[str, Any]]:
    """The latest landed payload of each of ``refs`` (to describe a ref that vanished)."""
    if not refs:
        return {}
    store.ensure_table(REFS)
    rows = store.con.execute(
        f"""
        SELECT record_id, arg_max(payload::VARCHAR, fetched_at) FROM raw.{REFS}
        WHERE source = ? AND record_id IN (SELECT unnest(?::VARCHAR[])) GROUP BY record_id""",
        [source, refs],
    ).fetchall()
    return {record_id: orjson.loads(payload) for record_id, payload in rows}


def extract_git(
    store: RawStore,
    config: GitSourceConfig,
    *,
    repo: GitRepository | None = None,
    progress: Callable[[str], None] = log.info,
) -> GitExtractionReport:
    """Run one incremental extraction of ``config``'s clone into ``store``."""
    repo = repo or GitRepository(config.path, config.name)
    report = GitExtractionReport(source=config.name)
    with store.batch(config.name, "git", report.tally) as report.batch_id:
        _extract(repo, store, config, report.batch_id, report, progress)
    progress(
        f"{config.name}: {report.commits_received} commits read from {report.walked_tips} new tips "
        f"({report.excluded_tips} known tips excluded, {report.dropped_tips} dropped); "
        f"{report.refs} refs, {report.deleted_refs} deleted; landed {report.landed}"
    )
    return report


def _extract(
    repo: GitRepository,
    store: RawStore,
    config: GitSourceConfig,
    batch_id: str,
    report: GitExtractionReport,
    progress: Callable[[str], None],
) -> None:
    repo.verify()
    known = parse_cursor(store.cursor(config.name, CURSOR_ENTITY))
    refs = repo.refs(config.ref_prefixes)
    current = {state.ref: state for state in refs}
    exclude = usable_known_tips(
        known,
        current,
        repo.existing_commits(known.values()),
        repo.is_ancestor,
        lambda sha: repo.reachable_from_refs(sha, config.ref_prefixes),
    )
    include = sorted({state.sha for state in refs if state.sha} - exclude)
    report.walked_tips, report.excluded_tips = len(include), len(exclude)
    report.dropped_tips = len(set(known.values()) - exclude)
    progress(
        f"{config.name}: {len(refs)} refs; walking {len(include)} new tips, excluding {len(exclude)} known"
    )

    request = f"git log --stdin ({len(include)} tips, {len(exclude)} known tips excluded)"
    chunk: list[RawRecord] = []
    since_checkpoint = 0

    def stage_chunk() -> None:
        nonlocal chunk, since_checkpoint
        store.stage(COMMITS, config.name, chunk, request=request, batch_id=batch_id)
        since_checkpoint += len(chunk)
        chunk = []
        if since_checkpoint >= config.checkpoint_every_commits:
            report.add_landed(store.checkpoint())  # commits only: the cursor moves with the refs
            since_checkpoint = 0
            progress(f"{config.name}: {report.commits_received} commits read")

    for commit in repo.iter_log(include, sorted(exclude), config.repository):
        chunk.append(commit_record(commit, config.repository))
        report.commits_received += 1
        if len(chunk) >= config.stage_every_commits:
            stage_chunk()
    if chunk:
        stage_chunk()

    ref_records = [RawRecord(state.ref, state.payload(), config.repository) for state in refs]
    in_scope = [ref for ref in known if ref not in current and ref.startswith(tuple(config.ref_prefixes))]
    last = last_ref_payloads(store, config.name, in_scope)
    ref_records += [
        RawRecord(ref, deleted_ref_payload(ref, known[ref], last.get(ref)), config.repository)
        for ref in sorted(in_scope)
    ]
    report.refs, report.deleted_refs = len(refs), len(in_scope)
    store.stage(
        REFS,
        config.name,
        ref_records,
        request=f"git for-each-ref {' '.join(config.ref_prefixes)}",
        batch_id=batch_id,
    )
    tips = {state.ref: state.sha or state.object_sha for state in refs}
    report.add_landed(store.checkpoint({(config.name, CURSOR_ENTITY): dump_cursor(tips)}))
