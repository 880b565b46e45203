"""Incremental PagerDuty extraction: incidents by creation window, their log entries, open incidents.

The cursor (``meta.cursors``, entity ``incidents``) is JSON ``{"since", "open"}`` (see
:class:`~extractors.pagerduty.windows.IncidentCursor`). One run:

1. lists incidents created in ``[cursor − overlap, run time]`` (``history_start`` on the first run),
   in windows of at most 180 days, oldest first; a window holding more incidents than offset paging
   reaches is halved until it does not. Each page checkpoints with the incidents still open; each
   completed window moves ``since`` to its end;
2. reads the log entries of every incident whose payload is new (an incident that changed lands
   again as a new version, and its log entries are read again; unchanged ones are skipped);
3. re-reads, one by one, incidents that were open last time and were not in this run's windows, so a
   resolution after the listing window has passed still lands.

An interrupted run resumes from its last checkpoint and lands nothing twice.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from extractors.common.http import HttpStatusError, SourceError
from extractors.common.raw_store import RawRecord, RawStore
from extractors.pagerduty.client import PagerDutyClient
from extractors.pagerduty.config import DEFAULT_HISTORY_DAYS, PagerDutySourceConfig
from extractors.pagerduty.windows import MIN_WINDOW, IncidentCursor, date_windows, halve

log = logging.getLogger("streamgauge.pagerduty")

INCIDENTS = "pagerduty_incidents"
LOG_ENTRIES = "pagerduty_log_entries"
PAGERDUTY_TABLES = (INCIDENTS, LOG_ENTRIES)
CURSOR_ENTITY = "incidents"
# classic offset pagination ends at 10,000 records: windows holding that many are halved
MAX_LISTED = 10_000
REFRESH_CHECKPOINT_EVERY = 50


@dataclass
class PagerDutyExtractionReport:
    source: str
    batch_id: str = ""
    windows: int = 0
    incidents_received: int = 0
    log_entries_received: int = 0
    refreshed: int = 0
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
        return self.incidents_received + self.log_entries_received, sum(self.landed.values())


def incident_record(incident: Mapping[str, Any], source: str) -> RawRecord:
    """An incident, parented by its service id."""
    if not incident.get("id"):
        raise SourceError(f"{source}: an incident without `id` (number {incident.get('incident_number')!r})")
    service = incident.get("service") or {}
    return RawRecord(str(incident["id"]), dict(incident), service.get("id"))


def log_entry_records(entries: list[dict[str, Any]], incident_id: str, source: str) -> list[RawRecord]:
    records = []
    for entry in entries:
        if not entry.get("id"):
            raise SourceError(f"{source}: a log entry of incident {incident_id} has no `id`")
        records.append(RawRecord(str(entry["id"]), entry, incident_id))
    return records


def payload_hash(record: RawRecord) -> str:
    """The hash RawStore keys versions by (md5 of the payload text)."""
    return hashlib.md5(record.payload_text().encode()).hexdigest()


def landed_hashes(store: RawStore, table: str, source: str, ids: list[str]) -> set[tuple[str, str]]:
    """``(record_id, payload_hash)`` pairs already landed for ``ids``."""
    if not ids:
        return set()
    store.ensure_table(table)
    return set(
        store.con.execute(
            f"""
        SELECT DISTINCT record_id, payload_hash FROM raw.{table}
        WHERE source = ? AND record_id IN (SELECT unnest(?::VARCHAR[]))""",
            [source, sorted(set(ids))],
        ).fetchall()
    )


def first_since(cursor: IncidentCursor, config: PagerDutySourceConfig, until: datetime) -> datetime:
    """Where this run's listing starts: the cursor minus the overlap, else ``history_start``."""
    if cursor.since is not None:
        return cursor.since - timedelta(minutes=config.overlap_minutes)
    return config.history_start or until - timedelta(days=DEFAULT_HISTORY_DAYS)


def extract_pagerduty(
    client: PagerDutyClient,
    store: RawStore,
    config: PagerDutySourceConfig,
    *,
    now: datetime | None = None,
    progress: Callable[[str], None] = log.info,
) -> PagerDutyExtractionReport:
    """Run one incremental extraction of ``config``'s account into ``store``."""
    report = PagerDutyExtractionReport(source=config.name)
    until = (now or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    with store.batch(config.name, "pagerduty", report.tally) as report.batch_id:
        _Extraction(client, store, config, report.batch_id, report, until).run()
    stats = client.api.stats
    report.requests, report.retries, report.waited_seconds = (
        stats.requests,
        stats.retries,
        stats.waited_seconds,
    )
    progress(
        f"{config.name}: {report.incidents_received} incidents in {report.windows} windows, "
        f"{report.refreshed} open incidents re-read, {report.log_entries_received} log entries; "
        f"landed {report.landed}; {report.requests} requests, {report.retries} retries"
    )
    return report


class _Extraction:
    def __init__(
        self,
        client: PagerDutyClient,
        store: RawStore,
        config: PagerDutySourceConfig,
        batch_id: str,
        report: PagerDutyExtractionReport,
        until: datetime,
    ):
        self.client, self.store, self.config = client, store, config
        self.batch_id, self.report, self.until = batch_id, report, until
        self.cursor = IncidentCursor.parse(store.cursor(config.name, CURSOR_ENTITY))
        self.listed: set[str] = set()

    @property
    def source(self) -> str:
        return self.config.name

    def checkpoint(self) -> None:
        self.report.add_landed(self.store.checkpoint({(self.source, CURSOR_ENTITY): self.cursor.dump()}))

    def run(self) -> None:
        since = first_since(self.cursor, self.config, self.until)
        stack = list(reversed(date_windows(since, self.until)))
        while stack:
            low, up = stack.pop()
            if self.read_window(low, up, stack):
                self.report.windows += 1
                if self.cursor.since is None or up > self.cursor.since:
                    self.cursor.since = up
                self.checkpoint()
        self.refresh_open()

    def read_window(self, low: datetime, up: datetime, stack: list[tuple[datetime, datetime]]) -> bool:
        """Land the incidents created in ``[low, up]``; False (halves pushed) when there are too many."""
        pages = self.client.incidents(low, up, self.config.service_ids)
        first = True
        for request, page in pages:
            total = page.get("total")
            if first and isinstance(total, int) and total >= MAX_LISTED:
                if up - low >= 2 * MIN_WINDOW:
                    older, newer = halve(low, up)
                    stack += [newer, older]
                    pages.close()
                    return False
                log.warning(
                    "%s: %d incidents created between %s and %s; offset paging reaches %d",
                    self.source,
                    total,
                    low,
                    up,
                    MAX_LISTED,
                )
            first = False
            incidents = page.get("incidents")
            if not isinstance(incidents, list):
                raise SourceError(f"{self.source}: {request} returned no `incidents` list")
            self.land_incidents(incidents, request)
            self.listed.update(str(i["id"]) for i in incidents)
            self.checkpoint()
        return True

    def land_incidents(self, incidents: list[dict[str, Any]], request: str) -> None:
        """Stage incidents, read the log entries of the new versions, and follow the open ones."""
        records = [incident_record(i, self.source) for i in incidents]
        known = landed_hashes(self.store, INCIDENTS, self.source, [r.record_id for r in records])
        self.store.stage(INCIDENTS, self.source, records, request=request, batch_id=self.batch_id)
        self.report.incidents_received += len(records)
        for record, incident in zip(records, incidents, strict=True):
            if (record.record_id, payload_hash(record)) not in known:
                self.land_log_entries(record.record_id)
            self.cursor.note(incident)

    def land_log_entries(self, incident_id: str) -> None:
        for request, page in self.client.log_entries(incident_id):
            entries = page.get("log_entries")
            if not isinstance(entries, list):
                raise SourceError(f"{self.source}: {request} returned no `log_entries` list")
            records = log_entry_records(entries, incident_id, self.source)
            self.store.stage(LOG_ENTRIES, self.source, records, request=request, batch_id=self.batch_id)
            self.report.log_entries_received += len(records)

    def refresh_open(self) -> None:
        """Re-read incidents still open last time that this run's windows did not list."""
        for number, incident_id in enumerate(sorted(set(self.cursor.open) - self.listed), start=1):
            try:
                request, incident = self.client.incident(incident_id)
            except HttpStatusError as exc:
                if exc.status != 404:
                    raise
                self.cursor.open.pop(incident_id, None)  # gone (merged away, or the service deleted)
                continue
            if not isinstance(incident, dict):
                raise SourceError(f"{self.source}: {request} returned no `incident`")
            self.land_incidents([incident], request)
            self.report.refreshed += 1
            if number % REFRESH_CHECKPOINT_EVERY == 0:
                self.checkpoint()
        self.checkpoint()
