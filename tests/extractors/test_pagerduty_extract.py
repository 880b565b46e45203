"""The PagerDuty extractor against an in-memory PagerDuty speaking REST v2 (httpx MockTransport):
offset/limit/more paging, six-month windows, open incidents, rate limits and faults."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import duckdb
import httpx
import orjson
import pytest

from extractors.common.http import SourceError
from extractors.common.raw_store import RawRecord, RawStore
from extractors.pagerduty import extract as pagerduty_extract
from extractors.pagerduty.client import connect_pagerduty
from extractors.pagerduty.config import PagerDutyAuth, PagerDutySourceConfig, pagerduty_token
from extractors.pagerduty.extract import (
    CURSOR_ENTITY,
    INCIDENTS,
    LOG_ENTRIES,
    PAGERDUTY_TABLES,
    extract_pagerduty,
    payload_hash,
)
from extractors.pagerduty.windows import IncidentCursor, date_windows, halve, parse_pagerduty_time
from tests.support.realdata import devlake_payloads

BASE = "https://api.pagerduty.test"
TOKEN = "u+PDSECRETtoken_abcdef"
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
CLOCK = NOW.timestamp()
SOURCE = "acme-pd"


def ts(days_ago: float) -> str:
    return (NOW - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")


class FakePagerDuty:
    """Incidents and log entries, listed like PagerDuty does (created_at windows, offset paging)."""

    def __init__(self):
        self.incidents: dict[str, dict] = {}
        self.logs: dict[str, list[dict]] = {}
        self.requests: list[httpx.Request] = []
        self.faults: list[tuple[str, httpx.Response]] = []

    def add(
        self, number: int, created: str, status: str = "resolved", service: str = "PSVC1", entries: int = 2
    ) -> dict:
        incident_id = f"Q{number:04d}"
        incident = {
            "id": incident_id,
            "type": "incident",
            "incident_number": number,
            "title": f"Outage {number}",
            "created_at": created,
            "status": status,
            "last_status_change_at": created,
            "urgency": "high",
            "service": {"id": service, "type": "service_reference"},
        }
        self.incidents[incident_id] = incident
        self.logs[incident_id] = [
            {
                "id": f"R{number:04d}{i:02d}",
                "type": "trigger_log_entry" if i == 0 else "notify_log_entry",
                "created_at": created,
                "incident": {"id": incident_id, "type": "incident_reference"},
            }
            for i in range(entries)
        ]
        return incident

    def resolve(self, incident_id: str, when: str) -> None:
        self.incidents[incident_id].update(status="resolved", last_status_change_at=when)
        self.logs[incident_id].append(
            {
                "id": f"{incident_id}-resolve",
                "type": "resolve_log_entry",
                "created_at": when,
                "incident": {"id": incident_id},
            }
        )

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        assert request.headers["authorization"] == f"Token token={TOKEN}"
        assert request.headers["accept"] == "application/vnd.pagerduty+json;version=2"
        for fault in self.faults:
            if fault[0] in str(request.url):
                self.faults.remove(fault)
                return fault[1]
        params = request.url.params
        parts = request.url.path.strip("/").split("/")
        match parts:
            case ["incidents"]:
                since, until = (parse_pagerduty_time(params[k]) for k in ("since", "until"))
                if until - since > timedelta(days=183) or until < since:
                    return httpx.Response(
                        400,
                        json={
                            "error": {
                                "message": "Invalid Input Provided",
                                "errors": ["Date range is over 6 months."],
                            }
                        },
                    )
                statuses = set(params.get_list("statuses[]"))
                services = set(params.get_list("service_ids[]"))
                items = sorted(
                    (
                        i
                        for i in self.incidents.values()
                        if since <= parse_pagerduty_time(i["created_at"]) < until
                        and i["status"] in statuses
                        and (not services or i["service"]["id"] in services)
                    ),
                    key=lambda i: i["created_at"],
                )
                return self.page(request, "incidents", items)
            case ["incidents", incident_id] if incident_id in self.incidents:
                return httpx.Response(200, json={"incident": self.incidents[incident_id]})
            case ["incidents", incident_id, "log_entries"] if incident_id in self.incidents:
                return self.page(request, "log_entries", self.logs[incident_id])
        return httpx.Response(404, json={"error": {"message": "Not Found", "code": 2100}})

    @staticmethod
    def page(request: httpx.Request, key: str, items: list) -> httpx.Response:
        offset, limit = int(request.url.params.get("offset", 0)), int(request.url.params.get("limit", 25))
        total = len(items) if request.url.params.get("total") == "true" else None
        return httpx.Response(
            200,
            json={
                key: items[offset : offset + limit],
                "limit": limit,
                "offset": offset,
                "more": offset + limit < len(items),
                "total": total,
            },
        )

    def listings(self, since: int = 0) -> list[httpx.Request]:
        return [r for r in self.requests[since:] if r.url.path == "/incidents"]


@pytest.fixture
def pagerduty(monkeypatch):
    monkeypatch.setenv("PAGERDUTY_TOKEN", TOKEN)
    return FakePagerDuty()


@pytest.fixture
def store():
    return RawStore(duckdb.connect())


def run(fake: FakePagerDuty, store: RawStore, waits: list | None = None, now: datetime = NOW, **options):
    config = PagerDutySourceConfig(
        name=SOURCE,
        base_url=BASE,
        page_size=options.pop("page_size", 2),
        history_start=options.pop("history_start", NOW - timedelta(days=400)),
        **options,
    )
    with connect_pagerduty(
        config,
        transport=httpx.MockTransport(fake.handler),
        sleep=(waits if waits is not None else []).append,
        clock=lambda: CLOCK,
    ) as client:
        return extract_pagerduty(client, store, config, now=now)


def ids(store, table):
    store.ensure_table(table)
    return store.con.execute(
        f"SELECT record_id, parent_id FROM raw.{table} ORDER BY record_id, fetched_at"
    ).fetchall()


def assert_no_duplicates(store):
    for table in PAGERDUTY_TABLES:
        store.ensure_table(table)
        total, distinct = store.con.execute(
            f"SELECT count(*), count(DISTINCT (source, record_id, payload_hash)) FROM raw.{table}"
        ).fetchone()
        assert total == distinct


def populate(fake: FakePagerDuty) -> None:
    fake.add(1, ts(390))
    fake.add(2, ts(200), service="PSVC2")
    fake.add(3, ts(100))
    fake.add(4, ts(20), status="acknowledged")
    fake.add(5, ts(2))
    fake.add(6, ts(1), status="triggered", entries=3)


# -- pure ---------------------------------------------------------------------------------------


def test_windows_are_at_most_180_days_and_share_boundaries():
    windows = date_windows(NOW - timedelta(days=400), NOW)
    assert [(b - a).days for a, b in windows] == [180, 180, 40]
    assert all(prev[1] == nxt[0] for prev, nxt in zip(windows, windows[1:], strict=False))
    assert date_windows(NOW, NOW) == []
    assert halve(NOW, NOW + timedelta(hours=2)) == (
        (NOW, NOW + timedelta(hours=1)),
        (NOW + timedelta(hours=1), NOW + timedelta(hours=2)),
    )
    with pytest.raises(ValueError):
        halve(NOW, NOW + timedelta(microseconds=10))


def test_timestamps_and_cursor():
    assert parse_pagerduty_time("2022-11-03T06:23:06.000000Z") == datetime(2022, 11, 3, 6, 23, 6, tzinfo=UTC)
    cursor = IncidentCursor(NOW, {})
    cursor.note({"id": "Q1", "status": "triggered", "created_at": "2026-03-01T00:00:00Z"})
    cursor.note({"id": "Q2", "status": "resolved", "created_at": "2026-03-01T00:00:00Z"})
    assert IncidentCursor.parse(cursor.dump()) == cursor
    assert cursor == IncidentCursor(NOW, {"Q1": "2026-03-01T00:00:00Z"})
    cursor.note({"id": "Q1", "status": "resolved"})
    assert cursor.open == {} and IncidentCursor.parse(None) == IncidentCursor()


def test_payload_hash_matches_the_raw_store():
    store = RawStore(duckdb.connect())
    record = RawRecord("Q1", {"title": "Ünïcode ☕", "n": 1})
    store.stage(INCIDENTS, "s", [record], request="r", batch_id="b")
    store.checkpoint()
    stored = store.con.execute(f"SELECT payload_hash FROM raw.{INCIDENTS}").fetchone()[0]
    assert stored == payload_hash(record)


def test_token_is_named_never_shown():
    config = PagerDutySourceConfig("pd", token_env="PD_KEY")
    with pytest.raises(SourceError, match="PD_KEY is not set"):
        pagerduty_token(config, {})
    assert "s3cret" not in repr(PagerDutyAuth("s3cret"))


# -- against the fake ---------------------------------------------------------------------------


def test_first_run_reads_six_month_windows_with_offset_paging(pagerduty, store):
    populate(pagerduty)
    report = run(pagerduty, store)
    assert report.windows == 3 and report.landed == {INCIDENTS: 6, LOG_ENTRIES: 13}
    assert ("Q0002", "PSVC2") in ids(store, INCIDENTS) and ("R000100", "Q0001") in ids(store, LOG_ENTRIES)
    first = pagerduty.listings()[0].url.params
    assert first.get_list("statuses[]") == ["triggered", "acknowledged", "resolved"]
    assert first["time_zone"] == "UTC" and first["limit"] == "2" and first["offset"] == "0"
    assert first["since"] == ts(400) and "service_ids[]" not in first
    offsets = [r.url.params["offset"] for r in pagerduty.listings()]
    assert "2" in offsets  # the last window holds three incidents: two pages
    log_offsets = [
        r.url.params["offset"] for r in pagerduty.requests if r.url.path.endswith("Q0006/log_entries")
    ]
    assert log_offsets == ["0", "2"]
    cursor = IncidentCursor.parse(store.cursor(SOURCE, CURSOR_ENTITY))
    assert cursor.since == NOW and cursor.open == {"Q0004": ts(20), "Q0006": ts(1)}


def test_service_filter_is_sent(pagerduty, store):
    populate(pagerduty)
    report = run(pagerduty, store, service_ids=("PSVC2",))
    assert pagerduty.listings()[0].url.params.get_list("service_ids[]") == ["PSVC2"]
    assert report.landed[INCIDENTS] == 1


def test_incremental_runs_read_from_the_cursor_and_follow_open_incidents(pagerduty, store):
    populate(pagerduty)
    run(pagerduty, store)
    later = NOW + timedelta(days=1)
    pagerduty.resolve("Q0004", ts(-0.5))  # created 20 days ago: outside the next listing window
    pagerduty.add(7, ts(-0.5))
    before = len(pagerduty.requests)
    report = run(pagerduty, store, now=later)
    listing = pagerduty.listings(before)
    assert len(listing) == 1 and listing[0].url.params["since"] == "2026-03-10T11:00:00Z"
    paths = [r.url.path for r in pagerduty.requests[before:]]
    assert "/incidents/Q0004" in paths and "/incidents/Q0004/log_entries" in paths
    assert "/incidents/Q0005/log_entries" not in paths  # unchanged
    assert "/incidents/Q0006" in paths and "/incidents/Q0006/log_entries" not in paths  # still triggered
    assert report.landed == {INCIDENTS: 2, LOG_ENTRIES: 3}
    statuses = store.con.execute(
        f"SELECT payload->>'status' FROM raw.{INCIDENTS} WHERE record_id = 'Q0004' ORDER BY fetched_at"
    ).fetchall()
    assert statuses == [("acknowledged",), ("resolved",)]
    assert IncidentCursor.parse(store.cursor(SOURCE, CURSOR_ENTITY)).open == {"Q0006": ts(1)}
    assert sum(run(pagerduty, store, now=later).landed.values()) == 0
    assert_no_duplicates(store)


def test_crowded_windows_are_halved(pagerduty, store, monkeypatch):
    monkeypatch.setattr(pagerduty_extract, "MAX_LISTED", 3)
    for n in range(8):
        pagerduty.add(n + 1, ts(5 - n * 0.5), entries=1)
    report = run(pagerduty, store, history_start=NOW - timedelta(days=10))
    assert report.landed == {INCIDENTS: 8, LOG_ENTRIES: 8}
    read = [
        (r.url.params["since"], r.url.params["until"])
        for r in pagerduty.listings()
        if r.url.params["offset"] == "0"
    ]
    assert len(read) > 3 and read[0][0] == ts(10) and read[-1][1] == ts(0)


def test_rate_limits_and_server_errors_are_retried(pagerduty, store):
    populate(pagerduty)
    pagerduty.faults += [
        (
            "/incidents?",
            httpx.Response(
                429, headers={"retry-after": "5"}, json={"error": {"message": "Rate Limit Exceeded"}}
            ),
        ),
        ("log_entries", httpx.Response(500, json={"error": {"message": "oops"}})),
    ]
    waits: list[float] = []
    report = run(pagerduty, store, waits)
    assert waits[0] == 5.0 and len(waits) == 2
    assert report.landed == {INCIDENTS: 6, LOG_ENTRIES: 13} and report.retries == 2


def test_an_interrupted_run_resumes_without_landing_anything_twice(pagerduty, store):
    populate(pagerduty)
    pagerduty.faults.append(("Q0006/log_entries", httpx.Response(400, json={"error": {"message": "bad"}})))
    with pytest.raises(SourceError, match=f"{SOURCE}: GET /incidents/Q0006/log_entries answered HTTP 400"):
        run(pagerduty, store)
    cursor = IncidentCursor.parse(store.cursor(SOURCE, CURSOR_ENTITY))
    assert cursor.since == NOW - timedelta(days=40)  # two windows completed
    assert {i for i, _ in ids(store, INCIDENTS)} == {"Q0001", "Q0002", "Q0003", "Q0004", "Q0005"}
    before = len(pagerduty.requests)
    report = run(pagerduty, store)
    paths = [r.url.path for r in pagerduty.requests[before:]]
    assert "/incidents/Q0001/log_entries" not in paths and "/incidents/Q0005/log_entries" not in paths
    assert report.landed == {INCIDENTS: 1, LOG_ENTRIES: 3}
    assert_no_duplicates(store)


def test_the_token_never_lands_or_appears_in_errors(pagerduty, store):
    populate(pagerduty)
    run(pagerduty, store)
    pagerduty.faults.append(("/incidents", httpx.Response(401, json={"error": {"message": "Unauthorized"}})))
    with pytest.raises(SourceError) as info:
        run(pagerduty, store)
    assert TOKEN not in str(info.value)
    for table in PAGERDUTY_TABLES:
        dump = store.con.execute(f"SELECT * FROM raw.{table}").fetchall()
        assert TOKEN not in str(dump)
    assert TOKEN not in str(store.con.execute("SELECT * FROM meta.batches").fetchall())


def test_real_pagerduty_incidents_and_log_entries_land(pagerduty, store):
    incidents = devlake_payloads("pagerduty", "raw_tables", "_raw_pagerduty_incidents.csv")
    for incident in incidents:
        pagerduty.incidents[incident["id"]] = incident
        pagerduty.logs[incident["id"]] = incident.get("log_entries") or []
    start = min(parse_pagerduty_time(i["created_at"]) for i in incidents) - timedelta(days=1)
    report = run(pagerduty, store, history_start=start, page_size=100)
    assert report.landed[INCIDENTS] == len(incidents)
    assert report.landed[LOG_ENTRIES] == len({e["id"] for i in incidents for e in i.get("log_entries") or []})
    landed = store.con.execute(
        f"SELECT parent_id, payload::VARCHAR FROM raw.{INCIDENTS} WHERE record_id = 'Q3YON8WNWTZMRQ'"
    ).fetchone()
    assert landed[0] == "PIKL83L" and orjson.loads(landed[1])["urgency"] == "high"
    open_ids = IncidentCursor.parse(store.cursor(SOURCE, CURSOR_ENTITY)).open
    assert set(open_ids) == {i["id"] for i in incidents if i["status"] != "resolved"}
