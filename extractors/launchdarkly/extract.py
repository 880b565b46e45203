"""LaunchDarkly extraction: every flag of the project, and the audit log of flag changes, incrementally.

1. **Flags** (``raw.launchdarkly_flags``, record ``<project>/<flag key>``): the whole list on every
   run, ``summary=0`` so each environment's ``on``, default rule and off variation are there. A flag
   lands again only when it changed.
2. **Audit log** (``raw.launchdarkly_audit_log``, record ``_id``, parent ``<project>/<flag key>``):
   the entries of the project's flags (``spec=proj/<project>:env/*:flag/*``) after the cursor, newest
   first. Each entry not landed before is read in full (``GET /api/v2/auditlog/{id}``: its
   ``previousVersion`` / ``currentVersion`` say what the flag looked like before and after, the only
   record of *when* a flag reached its rollout share), ``concurrent_requests`` at a time, each page's
   entries landed together. Entries never change, so an id already landed is not
   read again.

The cursor (``meta.cursors``, entity ``audit_log``) is JSON ``{"through", "pending_before",
"pending_newest"}``: every entry up to ``through`` (epoch ms) has landed; while a run walks back
through newer entries each page checkpoints ``pending_before`` (the oldest date read) so an
interrupted run resumes where it stopped, and ``through`` moves to ``pending_newest`` only when the
walk reached the cursor. Runs re-read ``overlap_minutes`` before ``through``, and a walk ends at the
run's "now" (``warehouse.as_of`` when pinned): later entries wait for a later run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
import pyarrow as pa

from extractors.common.concurrency import map_concurrently
from extractors.common.http import HttpStatusError, SourceError
from extractors.common.raw_store import RawRecord, RawStore
from extractors.launchdarkly.client import LaunchDarklyClient
from extractors.launchdarkly.config import LaunchDarklySourceConfig

log = logging.getLogger("streamgauge.launchdarkly")

FLAGS = "launchdarkly_flags"
AUDIT_LOG = "launchdarkly_audit_log"
LAUNCHDARKLY_TABLES = (FLAGS, AUDIT_LOG)
CURSOR_ENTITY = "audit_log"
MAX_PASSES = 2  # a resumed walk, then one fresh pass for what arrived meanwhile


@dataclass
class AuditCursor:
    through: int | None = None
    pending_before: int | None = None
    pending_newest: int | None = None

    @classmethod
    def parse(cls, text: str | None) -> AuditCursor:
        if not text:
            return cls()
        try:
            value = orjson.loads(text)
            return cls(value.get("through"), value.get("pending_before"), value.get("pending_newest"))
        except (orjson.JSONDecodeError, AttributeError) as exc:
            raise SourceError(f"launchdarkly: unreadable audit-log cursor {text!r}") from exc

    def dump(self) -> str:
        return orjson.dumps(
            {
                "through": self.through,
                "pending_before": self.pending_before,
                "pending_newest": self.pending_newest,
            }
        ).decode()


@dataclass
class LaunchDarklyExtractionReport:
    source: str
    batch_id: str = ""
    flags_received: int = 0
    audit_entries_listed: int = 0
    audit_entries_read: int = 0
    landed: dict[str, int] = field(default_factory=dict)
    requests: int = 0
    retries: int = 0
    waited_seconds: float = 0.0

    def add_landed(self, counts: Mapping[str, int]) -> None:
        for table, count in counts.items():
            if count:
                self.landed[table] = self.landed.get(table, 0) + count

    def tally(self) -> tuple[int, int]:
        """(records received, records landed) so far."""
        return self.flags_received + self.audit_entries_listed, sum(self.landed.values())


def flag_id(project_key: str, flag_key: str) -> str:
    return f"{project_key}/{flag_key}"


def flag_record(flag: Mapping[str, Any], project_key: str, source: str) -> RawRecord:
    if not flag.get("key"):
        raise SourceError(f"{source}: a flag without `key` (name {flag.get('name')!r})")
    return RawRecord(flag_id(project_key, str(flag["key"])), dict(flag), project_key)


def flag_of_entry(entry: Mapping[str, Any]) -> tuple[str, str] | None:
    """(project key, flag key) an audit-log entry is about: its resource ``proj/<p>:env/<e>:flag/<k>``."""
    resources = ((entry.get("target") or {}).get("resources") or []) + [
        access.get("resource") or "" for access in entry.get("accesses") or []
    ]
    for spec in resources:
        parts = dict(part.split("/", 1) for part in str(spec).split(":") if "/" in part)
        if "proj" in parts and "flag" in parts:
            return parts["proj"], parts["flag"].split(";")[0]
    return None


def audit_record(entry: Mapping[str, Any], source: str) -> RawRecord:
    if not entry.get("_id"):
        raise SourceError(f"{source}: an audit-log entry without `_id` (date {entry.get('date')!r})")
    about = flag_of_entry(entry)
    return RawRecord(str(entry["_id"]), dict(entry), None if about is None else flag_id(*about))


def rows_table(records: list[RawRecord], requests: list[str]) -> pa.Table:
    """Records that each came from their own request, as :meth:`RawStore.stage_rows` takes them."""
    return pa.table(
        {
            "record_id": pa.array([r.record_id for r in records], pa.string()),
            "parent_id": pa.array([r.parent_id for r in records], pa.string()),
            "payload": pa.array([r.payload_text() for r in records], pa.string()),
            "request": pa.array(requests, pa.string()),
        }
    )


def landed_ids(store: RawStore, source: str, ids: list[str]) -> set[str]:
    if not ids:
        return set()
    store.ensure_table(AUDIT_LOG)
    rows = store.con.execute(
        f"""SELECT DISTINCT record_id FROM raw.{AUDIT_LOG}
            WHERE source = ? AND record_id IN (SELECT unnest(?::VARCHAR[]))""",
        [source, sorted(set(ids))],
    ).fetchall()
    return {r[0] for r in rows}


def extract_launchdarkly(
    client: LaunchDarklyClient,
    store: RawStore,
    config: LaunchDarklySourceConfig,
    *,
    now: datetime | None = None,
    progress: Callable[[str], None] = log.info,
) -> LaunchDarklyExtractionReport:
    """Run one extraction of ``config``'s project into ``store``."""
    report = LaunchDarklyExtractionReport(source=config.name)
    with store.batch(config.name, "launchdarkly", report.tally) as report.batch_id:
        _Extraction(client, store, config, report, now or datetime.now(UTC)).run()
    stats = client.api.stats
    report.requests, report.retries, report.waited_seconds = (
        stats.requests,
        stats.retries,
        stats.waited_seconds,
    )
    progress(
        f"{config.name}: {report.flags_received} flags, "
        f"{report.audit_entries_listed} audit-log entries listed, "
        f"{report.audit_entries_read} read in full; landed {report.landed}; "
        f"{report.requests} requests, {report.retries} retries"
    )
    return report


class _Extraction:
    def __init__(
        self,
        client: LaunchDarklyClient,
        store: RawStore,
        config: LaunchDarklySourceConfig,
        report: LaunchDarklyExtractionReport,
        now: datetime,
    ):
        self.client, self.store, self.config, self.report = client, store, config, report
        self.now = now
        self.cursor = AuditCursor.parse(store.cursor(config.name, CURSOR_ENTITY))

    @property
    def source(self) -> str:
        return self.config.name

    def checkpoint(self) -> None:
        self.report.add_landed(self.store.checkpoint({(self.source, CURSOR_ENTITY): self.cursor.dump()}))

    def run(self) -> None:
        self.land_flags()
        for _ in range(MAX_PASSES):
            resumed = self.cursor.pending_before is not None
            self.walk_audit_log()
            if not resumed:
                break

    def land_flags(self) -> None:
        project = self.config.project_key
        for request, page in self.client.flags(project, self.config.environments):
            items = page.get("items") if isinstance(page, dict) else None
            if not isinstance(items, list):
                raise SourceError(f"{self.source}: {request} returned no `items` list")
            records = [flag_record(flag, project, self.source) for flag in items]
            self.store.stage(FLAGS, self.source, records, request=request, batch_id=self.report.batch_id)
            self.report.flags_received += len(records)
        self.report.add_landed(self.store.checkpoint())

    def lower_bound(self) -> int | None:
        """Entries after this (epoch ms) are read: the cursor minus the overlap, else history_start."""
        if self.cursor.through is not None:
            return self.cursor.through - self.config.overlap_minutes * 60_000
        if self.config.history_start is not None:
            return int(self.config.history_start.timestamp() * 1000) - 1
        return None

    def walk_audit_log(self) -> None:
        spec = f"proj/{self.config.project_key}:env/*:flag/*"
        before = self.cursor.pending_before
        if before is None:  # a fresh walk ends at the run's "now" (warehouse.as_of when pinned)
            before = int(self.now.timestamp() * 1000) + 1
        pages = self.client.audit_log(after=self.lower_bound(), before=before, spec=spec)
        newest = self.cursor.pending_newest
        for request, page in pages:
            entries = page.get("items") if isinstance(page, dict) else None
            if not isinstance(entries, list):
                raise SourceError(f"{self.source}: {request} returned no `items` list")
            self.report.audit_entries_listed += len(entries)
            entries = [e for e in entries if e.get("kind", "flag") == "flag"]
            known = landed_ids(self.store, self.source, [str(e.get("_id")) for e in entries])
            unknown = [entry for entry in entries if str(entry.get("_id")) not in known]
            reads = map_concurrently(self.read_entry, unknown, self.config.concurrent_requests)
            self.report.audit_entries_read += sum(read_in_full for _, _, read_in_full in reads)
            records = [audit_record(detail, self.source) for _, detail, _ in reads]
            requests = [detail_request for detail_request, _, _ in reads]
            self.store.stage_rows(
                AUDIT_LOG, self.source, rows_table(records, requests), batch_id=self.report.batch_id
            )
            dates = [int(e["date"]) for e in entries if isinstance(e.get("date"), int | float)]
            if dates:
                newest = max([newest or 0, *dates])
                self.cursor.pending_before = min(dates)
                self.cursor.pending_newest = newest
            self.checkpoint()
        if newest is not None:
            self.cursor.through = max(self.cursor.through or 0, newest)
        self.cursor.pending_before = self.cursor.pending_newest = None
        self.checkpoint()

    def read_entry(self, entry: Mapping[str, Any]) -> tuple[str, Any, bool]:
        """(request, the entry in full, True); the listed entry and False when it is gone (404).
        Runs in several threads at once: it only reads."""
        entry_id = str(entry["_id"])
        try:
            request, detail = self.client.audit_entry(entry_id)
        except HttpStatusError as exc:
            if exc.status != 404:
                raise
            return f"GET /api/v2/auditlog (entry {entry_id} no longer readable in full)", entry, False
        if not isinstance(detail, dict) or not detail.get("_id"):
            raise SourceError(f"{self.source}: {request} returned no audit-log entry")
        return request, detail, True
