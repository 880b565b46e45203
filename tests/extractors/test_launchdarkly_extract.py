"""LaunchDarkly extraction against the simulated API: `_links.next` paging, entries read in full once,
429 with Retry-After, an interrupted run that resumes, incremental runs, the token from the environment."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import httpx
import orjson
import pytest

from extractors.common.http import RetryPolicy, SourceError
from extractors.common.raw_store import RawStore
from extractors.launchdarkly.client import connect_launchdarkly
from extractors.launchdarkly.config import LaunchDarklySourceConfig
from extractors.launchdarkly.extract import (
    AUDIT_LOG,
    CURSOR_ENTITY,
    FLAGS,
    extract_launchdarkly,
    flag_of_entry,
)
from extractors.simulation import (
    FaultPlan,
    OrgConfig,
    SimulatedApis,
    SimulatedInterruption,
    SimulatedOrganisation,
)
from extractors.simulation.timeutil import to_ms
from tests.support.in_flight import InFlight

SOURCE = "demo-launchdarkly"
EARLIER = datetime(2026, 8, 1, tzinfo=UTC)


@pytest.fixture(autouse=True)
def token(monkeypatch):
    monkeypatch.setenv("LD_API_TOKEN", "demo-launchdarkly-token")


@pytest.fixture()
def org():
    return SimulatedOrganisation.generate(OrgConfig(flow_items=120))


def config(apis: SimulatedApis, **overrides) -> LaunchDarklySourceConfig:
    return LaunchDarklySourceConfig(
        name=SOURCE, project_key="acme", base_url=apis.base_url("launchdarkly"), **overrides
    )


def run(apis: SimulatedApis, store: RawStore, waits: list[float] | None = None, **overrides):
    cfg = config(apis, **overrides)
    sleep = waits.append if waits is not None else (lambda _s: None)
    with connect_launchdarkly(
        cfg, transport=apis.transport(), sleep=sleep, retry=RetryPolicy(max_attempts=4)
    ) as client:
        return extract_launchdarkly(client, store, cfg, now=apis.org.clock)


def count(store: RawStore, table: str) -> int:
    return store.con.execute(f"SELECT count(*) FROM raw.{table}").fetchall()[0][0]


def test_lands_every_flag_and_every_entry_in_full_then_nothing_twice(org):
    apis = SimulatedApis(org)
    store = RawStore(duckdb.connect())
    report = run(apis, store, page_size=7)
    flags = org.outcomes.flags_at(org.clock_ms)
    entries = org.outcomes.entries_until(org.clock_ms)
    assert report.landed == {FLAGS: len(flags), AUDIT_LOG: len(entries)}
    assert report.audit_entries_read == len(entries)
    flag_pages = sum(1 for r in apis.request_log if r.path == "/api/v2/flags/acme")
    first_listing = next(r for r in apis.request_log if r.path == "/api/v2/auditlog")
    assert int(first_listing.query["before"]) == org.clock_ms + 1  # the walk ends at the run's now
    assert flag_pages == -(-len(flags) // 7)  # followed _links.next to the end
    rows = store.con.execute(f"SELECT record_id, parent_id, request, payload FROM raw.{AUDIT_LOG}").fetchall()
    for record_id, parent_id, request, payload in rows:
        entry = orjson.loads(payload)
        assert request == f"GET /api/v2/auditlog/{record_id}" and "currentVersion" in entry
        assert parent_id == "acme/" + flag_of_entry(entry)[1]
    assert store.con.execute(f"SELECT count(DISTINCT record_id) FROM raw.{FLAGS}").fetchall()[0][0] == len(
        flags
    )
    apis.request_log.clear()
    again = run(apis, store)
    assert again.landed == {} and again.audit_entries_read == 0
    assert not [r for r in apis.request_log if r.path.startswith("/api/v2/auditlog/")]  # no detail re-read


def test_429_waits_for_retry_after_and_lands_everything(org):
    apis = SimulatedApis(org, faults={"launchdarkly": FaultPlan(rate_limit_every=9, retry_after_seconds=2)})
    store = RawStore(duckdb.connect())
    waits: list[float] = []
    report = run(apis, store, waits)
    assert report.landed[AUDIT_LOG] == len(org.outcomes.entries_until(org.clock_ms))
    assert waits and set(waits) == {2.0} and report.retries == len(waits)
    assert sum(1 for r in apis.request_log if r.status == 429) == len(waits)


def test_an_interrupted_run_resumes_from_its_last_page(org):
    entries = len(org.outcomes.entries_until(org.clock_ms))
    apis = SimulatedApis(org, faults={"launchdarkly": FaultPlan(interrupt_after=60)})
    store = RawStore(duckdb.connect())
    with pytest.raises(SimulatedInterruption):
        run(apis, store)
    cursor_after_failure = orjson.loads(store.cursor(SOURCE, CURSOR_ENTITY))
    assert cursor_after_failure["through"] is None and cursor_after_failure["pending_before"] is not None
    landed_first = count(store, AUDIT_LOG)
    assert 0 < landed_first < entries
    failed = store.con.execute("SELECT status FROM meta.batches").fetchall()
    assert failed == [("failed",)]
    resumed = SimulatedApis(org)
    report = run(resumed, store)
    assert count(store, AUDIT_LOG) == entries  # nothing missing, nothing twice
    assert report.audit_entries_read == entries - landed_first  # landed entries are not read again
    listing = [r for r in resumed.request_log if r.path == "/api/v2/auditlog"]
    assert int(listing[0].query["before"]) == cursor_after_failure["pending_before"]  # below the last page
    cursor = orjson.loads(store.cursor(SOURCE, CURSOR_ENTITY))
    assert cursor == {
        "through": max(c.at_ms for _, c in org.outcomes.entries_until(org.clock_ms)),
        "pending_before": None,
        "pending_newest": None,
    }


def test_later_runs_read_only_what_is_new(org):
    org.set_clock(EARLIER)
    apis = SimulatedApis(org)
    store = RawStore(duckdb.connect())
    first = run(apis, store)
    early = len(org.outcomes.entries_until(to_ms(EARLIER)))
    assert first.landed[AUDIT_LOG] == early
    org.set_clock(org.config.end)
    apis.request_log.clear()
    second = run(apis, store, overlap_minutes=90)
    listing = [r for r in apis.request_log if r.path == "/api/v2/auditlog"]
    through = max(c.at_ms for _, c in org.outcomes.entries_until(to_ms(EARLIER)))
    assert int(listing[0].query["after"]) == through - 90 * 60_000  # the cursor less the overlap
    total = len(org.outcomes.entries_until(org.clock_ms))
    assert second.landed[AUDIT_LOG] == total - early and second.audit_entries_read == total - early
    changed = second.landed[FLAGS]  # flags created or changed since land as new versions
    assert 0 < changed <= len(org.outcomes.flags_at(org.clock_ms))
    assert count(store, AUDIT_LOG) == total


def test_history_start_bounds_the_first_run(org):
    store = RawStore(duckdb.connect())
    report = run(SimulatedApis(org), store, history_start=EARLIER)
    later = [c for _, c in org.outcomes.entries_until(org.clock_ms) if c.at_ms >= to_ms(EARLIER)]
    assert report.landed[AUDIT_LOG] == len(later)


def test_a_missing_token_is_named_not_shown(org, monkeypatch):
    monkeypatch.delenv("LD_API_TOKEN")
    with pytest.raises(SourceError, match="environment variable LD_API_TOKEN is not set"):
        connect_launchdarkly(config(SimulatedApis(org)))


def test_a_wrong_token_is_an_error_naming_the_request(org, monkeypatch):
    monkeypatch.setenv("LD_API_TOKEN", "wrong")
    with pytest.raises(SourceError, match=r"GET /api/v2/flags/acme answered HTTP 401"):
        run(SimulatedApis(org), RawStore(duckdb.connect()))


class InFlightTransport(httpx.BaseTransport):
    """The simulated API beneath, counting the requests under way at once."""

    def __init__(self, inner: httpx.BaseTransport):
        self.inner, self.in_flight = inner, InFlight(hold_seconds=0.002)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self.in_flight.call():
            return self.inner.handle_request(request)


def test_entries_read_several_at_a_time_land_as_if_read_one_at_a_time(org):
    landed, most = {}, {}
    for concurrent in (1, 4):
        apis = SimulatedApis(
            org, faults={"launchdarkly": FaultPlan(rate_limit_every=7, retry_after_seconds=1)}
        )
        store = RawStore(duckdb.connect())
        cfg = config(apis, concurrent_requests=concurrent)
        transport = InFlightTransport(apis.transport())
        with connect_launchdarkly(cfg, transport=transport, sleep=lambda _s: None) as client:
            report = extract_launchdarkly(client, store, cfg, now=apis.org.clock)
        rows = store.con.execute(
            f"SELECT record_id, request, payload FROM raw.{AUDIT_LOG} ORDER BY record_id"
        )
        landed[concurrent] = (report.audit_entries_read, rows.fetchall())
        most[concurrent] = transport.in_flight.most
    assert landed[4] == landed[1] and len(landed[1][1]) == len(org.outcomes.entries_until(org.clock_ms))
    assert most[1] == 1 and 1 < most[4] <= 4


def test_concurrent_requests_are_bounded():
    with pytest.raises(SourceError, match="concurrent_requests must be 1 … 10"):
        LaunchDarklySourceConfig(name=SOURCE, project_key="acme", concurrent_requests=0)
