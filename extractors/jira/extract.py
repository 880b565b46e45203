"""Incremental Jira extraction: issues by ``updated``, full histories by bulk fetch, deletions.

One run:

1. lands the status, issue-type and field lists;
2. searches ``(<jql>) AND updated >= "<cursor − overlap>" ORDER BY updated ASC`` page by page, and for
   every page fetches the issues' complete change histories through ``changelog/bulkfetch``;
3. checkpoints regularly: pending pages merge into ``raw`` together with the new cursor (the
   greatest ``updated`` landed), so an interrupted run resumes there and a re-run lands nothing twice;
4. reconciles deletions: issues we hold that the search no longer returns and that Jira answers 404
   for get a tombstone.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from extractors.common.http import SourceError
from extractors.common.raw_store import RawRecord, RawStore, utc_now
from extractors.jira.client import JiraClient
from extractors.jira.config import JiraSourceConfig
from extractors.jira.timestamps import incremental_jql, parse_jira_timestamp

log = logging.getLogger("streamgauge.jira")

ISSUES = "jira_issues"
CHANGELOGS = "jira_changelogs"
TOMBSTONES = "jira_tombstones"
REFERENCE_TABLES = {"status": "jira_statuses", "issuetype": "jira_issue_types", "field": "jira_fields"}
CURSOR_ENTITY = "issues"


@dataclass
class JiraExtractionReport:
    source: str
    batch_id: str = ""
    cursor_before: datetime | None = None
    cursor_after: datetime | None = None
    pages: int = 0
    issues_received: int = 0
    histories_received: int = 0
    landed: dict[str, int] = field(default_factory=dict)
    tombstones: int = 0
    requests: int = 0
    retries: int = 0
    waited_seconds: float = 0.0

    def add_landed(self, counts: dict[str, int]) -> None:
        for table, count in counts.items():
            self.landed[table] = self.landed.get(table, 0) + count

    def tally(self) -> tuple[int, int]:
        """(records received, records landed) so far."""
        return self.issues_received + self.histories_received, sum(self.landed.values())


def issue_record(issue: dict, source: str) -> RawRecord:
    if not issue.get("id"):
        raise SourceError(f"{source}: an issue in the search results has no `id` (key {issue.get('key')!r})")
    return RawRecord(record_id=str(issue["id"]), payload=issue)


def history_records(page: dict, source: str) -> list[RawRecord]:
    """Bulk-fetch page → one record per change history, parented by its issue id."""
    records = []
    for log_entry in page.get("issueChangeLogs") or []:
        issue_id = log_entry.get("issueId")
        for history in log_entry.get("changeHistories") or []:
            if not history.get("id") or not issue_id:
                raise SourceError(f"{source}: a change history of issue {issue_id!r} has no `id`")
            records.append(RawRecord(record_id=str(history["id"]), payload=history, parent_id=str(issue_id)))
    return records


def issue_updated_at(issue: dict, source: str) -> datetime:
    updated = (issue.get("fields") or {}).get("updated")
    if not updated:
        raise SourceError(f"{source}: issue {issue.get('key') or issue.get('id')} has no `fields.updated`")
    return parse_jira_timestamp(updated)


class _Throttled:
    """Calls ``emit`` at most every ``seconds`` (and always when forced)."""

    def __init__(self, emit: Callable[[str], None], seconds: float = 2.0):
        self._emit, self._seconds, self._last = emit, seconds, 0.0

    def __call__(self, message: str, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self._last >= self._seconds:
            self._last = now
            self._emit(message)


def extract_jira(
    client: JiraClient,
    store: RawStore,
    config: JiraSourceConfig,
    *,
    progress: Callable[[str], None] = log.info,
) -> JiraExtractionReport:
    """Run one incremental extraction of ``config``'s site into ``store``."""
    report = JiraExtractionReport(source=config.name)
    with store.batch(config.name, "jira", report.tally) as report.batch_id:
        _land_reference_lists(client, store, report.batch_id, report)
        _land_updated_issues(client, store, config, report.batch_id, report, _Throttled(progress))
        if config.reconcile_deletions:
            _land_tombstones(client, store, config, report.batch_id, report)
    stats = client.api.stats
    report.requests, report.retries, report.waited_seconds = (
        stats.requests,
        stats.retries,
        stats.waited_seconds,
    )
    progress(
        f"{config.name}: {report.issues_received} issues and {report.histories_received} change "
        f"histories received in {report.pages} pages; landed {report.landed}; "
        f"{report.tombstones} deletions; {report.requests} requests, {report.retries} retries"
    )
    return report


def _land_reference_lists(
    client: JiraClient, store: RawStore, batch_id: str, report: JiraExtractionReport
) -> None:
    for entity, table in REFERENCE_TABLES.items():
        request, items = client.reference_list(entity)
        records = [
            RawRecord(record_id=str(item.get("id") or item.get("key")), payload=item) for item in items
        ]
        store.stage(table, client.source, records, request=request, batch_id=batch_id)
    report.add_landed(store.checkpoint())


def _land_updated_issues(
    client: JiraClient,
    store: RawStore,
    config: JiraSourceConfig,
    batch_id: str,
    report: JiraExtractionReport,
    progress: _Throttled,
) -> None:
    cursor_text = store.cursor(config.name, CURSOR_ENTITY)
    cursor = datetime.fromisoformat(cursor_text) if cursor_text else None
    report.cursor_before = report.cursor_after = cursor
    time_zone = client.myself().get("timeZone") or "UTC"
    jql = incremental_jql(config.base_jql(), cursor, timedelta(minutes=config.overlap_minutes), time_zone)
    fields = tuple(dict.fromkeys((*config.fields, "updated")))
    progress(f"{config.name}: searching {jql}", force=True)
    newest = cursor

    def checkpoint() -> None:
        cursors = {(config.name, CURSOR_ENTITY): newest.isoformat()} if newest else {}
        report.add_landed(store.checkpoint(cursors))
        report.cursor_after = newest

    for request, page in client.search(jql, fields, config.page_size):
        issues = page.get("issues") or []
        report.pages += 1
        if not issues:
            continue
        store.stage(
            ISSUES,
            config.name,
            [issue_record(i, config.name) for i in issues],
            request=request,
            batch_id=batch_id,
        )
        report.issues_received += len(issues)
        ids = [str(i["id"]) for i in issues]
        for changelog_request, changelog_page in client.bulk_changelogs(ids, config.changelog_page_size):
            histories = history_records(changelog_page, config.name)
            store.stage(CHANGELOGS, config.name, histories, request=changelog_request, batch_id=batch_id)
            report.histories_received += len(histories)
        page_newest = max(issue_updated_at(i, config.name) for i in issues)
        newest = page_newest if newest is None else max(newest, page_newest)
        if store.pending_count() >= config.checkpoint_every_records:
            checkpoint()
        progress(
            f"{config.name}: {report.issues_received} issues, {report.histories_received} histories "
            f"({report.pages} pages)"
        )
    checkpoint()


def _land_tombstones(
    client: JiraClient, store: RawStore, config: JiraSourceConfig, batch_id: str, report: JiraExtractionReport
) -> None:
    """Issues we hold that the site no longer has, each confirmed by a 404 (search lags behind)."""
    store.ensure_table(TOMBSTONES)
    held = dict(
        store.con.execute(
            f"""
        WITH latest_issue AS (
            SELECT record_id, arg_max(payload->>'key', fetched_at) AS issue_key, max(fetched_at) AS seen_at
            FROM raw.{ISSUES} WHERE source = ? GROUP BY record_id),
        latest_tombstone AS (
            SELECT record_id, max(fetched_at) AS gone_at
            FROM raw.{TOMBSTONES} WHERE source = ? GROUP BY record_id)
        SELECT i.record_id, i.issue_key FROM latest_issue i LEFT JOIN latest_tombstone t USING (record_id)
        WHERE t.gone_at IS NULL OR t.gone_at < i.seen_at""",
            [config.name, config.name],
        ).fetchall()
    )
    if not held:
        return
    live = set(client.issue_ids(f"({config.base_jql()}) ORDER BY id ASC"))
    detected_at = utc_now().replace(tzinfo=UTC).isoformat()
    gone = [
        RawRecord(
            record_id=issue_id, payload={"id": issue_id, "key": held[issue_id], "detected_at": detected_at}
        )
        for issue_id in sorted(set(held) - live)
        if client.issue_is_gone(issue_id)
    ]
    if gone:
        store.stage(
            TOMBSTONES,
            config.name,
            gone,
            request="GET /rest/api/3/issue/{id}/changelog → 404",
            batch_id=batch_id,
        )
        report.add_landed(store.checkpoint())
        report.tombstones = len(gone)
