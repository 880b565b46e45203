"""The Jira extractor against the simulated Jira Cloud API, beneath the real HTTP client."""

from datetime import UTC, datetime

import duckdb
import httpx
import pytest

from extractors.common.http import ApiClient
from extractors.common.raw_store import RawStore
from extractors.jira.client import JiraClient
from extractors.jira.config import JiraSourceConfig
from extractors.jira.extract import extract_jira
from extractors.simulation import (
    FaultPlan,
    OrgConfig,
    SimulatedApis,
    SimulatedInterruption,
    SimulatedOrganisation,
)
from tests.simulation.helpers import AUTH, bulkfetch_all, jira_client, search_all

SOURCE = "demo-jira"
PROJECTS = ("PAY", "MOB", "PLAT")


def small_org() -> SimulatedOrganisation:
    return SimulatedOrganisation.generate(OrgConfig(flow_items=120))


def jira_config(base_url: str, **overrides) -> JiraSourceConfig:
    return JiraSourceConfig(
        SOURCE, base_url, projects=PROJECTS, page_size=40, checkpoint_every_records=150, **overrides
    )


class Run:
    """One warehouse and the means to extract into it from a simulated Jira."""

    def __init__(self):
        self.store = RawStore(duckdb.connect())
        self.waits: list[float] = []

    def extract(self, apis: SimulatedApis, base_url: str | None = None, transport=None, **overrides):
        api = ApiClient(
            SOURCE,
            base_url or apis.base_url("jira"),
            auth=httpx.BasicAuth(*AUTH),
            transport=transport if base_url else apis.transport(),
            sleep=self.waits.append,
        )
        with JiraClient(api) as client:
            return extract_jira(
                client,
                self.store,
                jira_config(base_url or apis.base_url("jira"), **overrides),
                progress=lambda message: None,
            )

    def records(self, table: str) -> set[tuple[str, str]]:
        return set(self.store.con.execute(f"SELECT record_id, payload_hash FROM raw.{table}").fetchall())

    def count(self, table: str) -> int:
        return self.store.con.execute(f"SELECT count(*) FROM raw.{table}").fetchone()[0]

    def ids(self, table: str) -> set[str]:
        return {
            r[0] for r in self.store.con.execute(f"SELECT DISTINCT record_id FROM raw.{table}").fetchall()
        }


def expected_source(org: SimulatedOrganisation) -> tuple[set[str], set[str]]:
    """Issue ids and history ids, read straight off the simulated API by the simulation's own helpers."""
    with jira_client(SimulatedApis(org)) as client:
        issues = search_all(client, "project in (PAY, MOB, PLAT)", fields="id")
        ids = [i["id"] for i in issues]
        histories, _ = bulkfetch_all(client, ids)
    return set(ids), {h["id"] for hs in histories.values() for h in hs}


def test_a_full_extraction_lands_every_issue_and_history_exactly_once():
    org = small_org()
    run = Run()
    report = run.extract(SimulatedApis(org))
    issue_ids, history_ids = expected_source(org)
    assert run.ids("jira_issues") == issue_ids
    assert run.ids("jira_changelogs") == history_ids
    assert run.count("jira_issues") == len(issue_ids) and run.count("jira_changelogs") == len(history_ids)
    assert report.pages > 1 and report.cursor_after is not None
    assert (
        run.count("jira_statuses") > 10
        and run.count("jira_issue_types") >= 7
        and run.count("jira_fields") > 5
    )
    assert run.store.con.execute("SELECT DISTINCT source FROM raw.jira_changelogs").fetchall() == [(SOURCE,)]
    request = run.store.con.execute("SELECT min(request) FROM raw.jira_issues").fetchone()[0]
    assert request.startswith("GET /rest/api/3/search/jql?jql=")


def test_a_rerun_lands_nothing_twice():
    org = small_org()
    run = Run()
    apis = SimulatedApis(org)
    run.extract(apis)
    before = {t: run.count(t) for t in ("jira_issues", "jira_changelogs", "jira_statuses")}
    second = run.extract(apis)
    assert sum(second.landed.values()) == 0
    assert {t: run.count(t) for t in before} == before
    searches = [
        r
        for r in apis.request_log
        if r.path == "/rest/api/3/search/jql" and "ORDER BY updated" in r.query["jql"]
    ]
    assert 'updated >= "' in searches[-1].query["jql"]  # the second run was incremental


def test_an_interrupted_run_resumes_from_its_last_checkpoint_without_loss_or_duplicates():
    org = small_org()
    reference = Run()
    reference.extract(SimulatedApis(org))

    run = Run()
    with pytest.raises(SimulatedInterruption):
        run.extract(SimulatedApis(org, faults={"jira": FaultPlan(interrupt_after=12)}))
    partial = run.count("jira_issues")
    assert 0 < partial < reference.count("jira_issues")
    assert run.store.cursor(SOURCE, "issues") is not None
    assert run.store.con.execute("SELECT status FROM meta.batches").fetchall() == [("failed",)]

    resumed = run.extract(SimulatedApis(org))
    assert resumed.cursor_before is not None
    assert run.records("jira_issues") == reference.records("jira_issues")
    assert run.records("jira_changelogs") == reference.records("jira_changelogs")


def test_rate_limits_and_server_errors_are_waited_out():
    org = small_org()
    reference = Run()
    reference.extract(SimulatedApis(org))
    run = Run()
    faults = FaultPlan(rate_limit_every=5, retry_after_seconds=2, server_errors_at=frozenset({3, 8}))
    report = run.extract(SimulatedApis(org, faults={"jira": faults}))
    assert run.records("jira_issues") == reference.records("jira_issues")
    assert run.records("jira_changelogs") == reference.records("jira_changelogs")
    assert run.waits.count(2.0) >= 2  # Retry-After honoured
    assert report.retries >= 4


def test_incremental_runs_follow_the_source_as_it_changes():
    org = small_org()
    run = Run()
    apis = SimulatedApis(org)
    org.set_clock(datetime(2026, 8, 15, tzinfo=UTC))
    first = run.extract(apis)
    org.set_clock(org.config.end)
    second = run.extract(apis)
    assert second.issues_received < len(expected_source(org)[0])  # only what changed since the cursor

    reference = Run()
    reference.extract(SimulatedApis(org))
    # An issue's own fields; the parent summary embedded in a child changes without touching the
    # child's `updated` (as in Jira), so an incremental run is not expected to refresh it.
    latest = """SELECT record_id, arg_max(json_object(
                    'key', payload->'$.key', 'status', payload->'$.fields.status.id',
                    'type', payload->'$.fields.issuetype.id', 'updated', payload->'$.fields.updated',
                    'project', payload->'$.fields.project.key')::VARCHAR, fetched_at)
                FROM raw.jira_issues GROUP BY record_id"""
    assert set(run.store.con.execute(latest).fetchall()) == set(
        reference.store.con.execute(latest).fetchall()
    )
    assert run.ids("jira_changelogs") == reference.ids("jira_changelogs")
    assert first.cursor_after < second.cursor_after


def test_the_overlap_window_reaches_back_before_the_cursor():
    org = small_org()
    run = Run()
    apis = SimulatedApis(org)
    run.extract(apis, overlap_minutes=90)
    cursor = datetime.fromisoformat(run.store.cursor(SOURCE, "issues"))
    run.extract(apis, overlap_minutes=90)
    jql = [r.query["jql"] for r in apis.request_log if "ORDER BY updated" in r.query.get("jql", "")][-1]
    since = datetime.strptime(jql.split('updated >= "')[1][:16], "%Y/%m/%d %H:%M")
    local_cursor = cursor.astimezone(org.config.zone).replace(tzinfo=None)
    assert 90 * 60 <= (local_cursor - since).total_seconds() < 91 * 60  # in the API user's zone, floored


def test_deleted_issues_get_a_tombstone():
    org = small_org()
    run = Run()
    apis = SimulatedApis(org)
    run.extract(apis)
    victim = sorted(run.ids("jira_issues"))[5]
    org.jira.delete_issue(victim)
    report = run.extract(apis)
    assert report.tombstones == 1
    assert run.ids("jira_tombstones") == {victim}
    assert run.extract(apis).tombstones == 0  # not tombstoned twice


def test_extraction_over_a_real_loopback_server_lands_the_same_records():
    org = small_org()
    reference = Run()
    reference.extract(SimulatedApis(org))
    run = Run()
    with SimulatedApis(org).serve() as server:
        run.extract(None, base_url=server.base_url("jira"))
    assert run.records("jira_issues") == reference.records("jira_issues")
    assert run.records("jira_changelogs") == reference.records("jira_changelogs")


def test_wrong_credentials_fail_clearly_and_secrets_never_land():
    org = small_org()
    run = Run()
    api = ApiClient(
        SOURCE,
        SimulatedApis(org).base_url("jira"),
        auth=httpx.BasicAuth("demo@example.com", "not-the-token-5f3a"),
        transport=SimulatedApis(org).transport(),
        sleep=lambda s: None,
    )
    with pytest.raises(Exception, match="demo-jira: GET /rest/api/3/status answered HTTP 401") as info:
        extract_jira(JiraClient(api), run.store, jira_config("http://x"), progress=lambda m: None)
    assert "5f3a" not in str(info.value)
    run.extract(SimulatedApis(org))
    dump = run.store.con.execute(
        "SELECT string_agg(payload::VARCHAR || coalesce(request, ''), '') FROM raw.jira_issues"
    ).fetchone()[0]
    assert AUTH[1] not in dump and "5f3a" not in dump
