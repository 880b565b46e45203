"""The simulated PagerDuty REST API: token auth, offset paging, the date window, log entries, and
incident texts whose deployment ids and SHAs are exactly the ground truth's explicit links."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest

from extractors.common.http import ApiClient
from extractors.common.paging import iter_offset_pages
from extractors.simulation import FaultPlan, OrgConfig, SimulatedApis, SimulatedOrganisation

AUTH = {"Authorization": "Token token=demo-pagerduty-token"}
ALL = {"since": "2026-05-01T00:00:00Z", "until": "2026-10-31T23:59:59Z"}


def client(apis: SimulatedApis, **options) -> ApiClient:
    return ApiClient(
        "demo-pagerduty", apis.base_url("pagerduty"), transport=apis.transport(), headers=AUTH, **options
    )


def incidents(api: ApiClient, params: dict, limit: int = 100) -> list[dict]:
    return [
        i for _, page in iter_offset_pages(api, "/incidents", params, limit=limit) for i in page["incidents"]
    ]


@pytest.fixture(scope="module")
def truth(default_org):
    return default_org.delivery_truth()


@pytest.fixture()
def pd(default_org):
    with client(SimulatedApis(default_org)) as api:
        yield api


def test_token_authentication(small_org):
    apis = SimulatedApis(small_org)
    with httpx.Client(base_url=apis.base_url("pagerduty"), transport=apis.transport()) as http:
        assert http.get("/incidents").status_code == 401
        assert http.get("/incidents", headers={"Authorization": "Token token=nope"}).status_code == 401
        assert (
            http.get("/incidents", headers={"Authorization": "Bearer demo-pagerduty-token"}).status_code
            == 401
        )
        ok = http.get("/incidents", headers=AUTH)
        assert ok.status_code == 200 and set(ok.json()) == {"incidents", "limit", "offset", "more", "total"}


def test_offset_paging_covers_every_incident_once(pd, truth):
    for limit in (7, 100):
        listed = incidents(pd, ALL, limit)
        ids = [i["id"] for i in listed]
        assert len(ids) == len(set(ids)) and set(ids) == set(truth.incidents)
        assert [i["created_at"] for i in listed] == sorted(i["created_at"] for i in listed)
    page = pd.get_json("/incidents", {**ALL, "limit": 10, "offset": 10, "total": "true"})
    assert page["limit"] == 10 and page["offset"] == 10 and page["more"] is True
    assert page["total"] == len(truth.incidents)
    assert pd.get_json("/incidents", {**ALL, "limit": 1000})["limit"] == 100
    services = incidents(pd, {**ALL, "service_ids[]": ["PMOB001"]})
    assert services and {i["service"]["id"] for i in services} == {"PMOB001"}


def test_date_window_rules(default_org, pd):
    recent = incidents(pd, {})  # no since/until: the month before the clock
    assert recent and all(i["created_at"] >= "2026-10-01" for i in recent)
    everything = incidents(pd, {"date_range": "all"})
    assert len(everything) > len(recent)
    with pytest.raises(Exception, match="400"):
        pd.get_json("/incidents", {"since": "2026-01-01T00:00:00Z", "until": "2026-10-31T00:00:00Z"})


def test_incident_payloads_agree_with_the_truth(pd, truth):
    for payload in incidents(pd, ALL):
        expected = truth.incidents[payload["id"]]
        assert payload["incident_number"] == expected.number
        assert payload["status"] == expected.status
        assert payload["service"]["id"] == expected.service_id
        assert payload["urgency"] == expected.urgency
        if expected.resolved_at is not None:
            assert payload["resolved_at"] == expected.resolved_at.strftime("%Y-%m-%dT%H:%M:%SZ")
            assert payload["last_status_change_at"] == payload["resolved_at"]
        else:
            assert payload["resolved_at"] is None


def test_explicit_and_root_cause_texts_name_exactly_the_linked_deployments(pd, truth):
    """Parse the payloads as an extractor would: ``deployment <id>`` and ``commit <sha>``."""
    first_deployment = {c.sha: c.deployment_id for c in truth.commits.values()}
    checked = set()
    for payload in incidents(pd, ALL):
        expected = truth.incidents[payload["id"]]
        entries = [
            e
            for _, page in iter_offset_pages(pd, f"/incidents/{payload['id']}/log_entries", limit=3)
            for e in page["log_entries"]
        ]
        assert [e["created_at"] for e in entries] == sorted((e["created_at"] for e in entries), reverse=True)
        assert entries[-1]["type"] == "trigger_log_entry"
        notes = [e["channel"]["summary"] for e in entries if e["type"] == "annotate_log_entry"]
        texts = [payload["description"], *notes]
        named = [int(x) for t in texts for x in re.findall(r"deployment (\d+)", t)]
        shas = [x for t in texts for x in re.findall(r"commit ([0-9a-f]{40})", t)]
        if named:
            assert expected.attribution_method == "explicit"
            assert set(expected.deployment_ids) == set(named)
        elif shas:
            assert expected.attribution_method == "root_cause_sha"
            assert set(expected.deployment_ids) == {first_deployment[s] for s in shas}
        checked.add(expected.attribution_method)
    assert {"explicit", "root_cause_sha", "nearest_preceding", None} <= checked


def test_single_incident_time_zone_and_overview(pd, truth):
    target = next(i for i in truth.incidents.values() if i.resolved_at is not None)
    body = pd.get_json(f"/incidents/{target.id}", {"time_zone": "Europe/Berlin"})["incident"]
    assert body["id"] == target.id and body["created_at"].endswith(("+02:00", "+01:00"))
    full = pd.get_json(f"/incidents/{target.id}/log_entries", {"limit": 100})["log_entries"]
    overview = pd.get_json(f"/incidents/{target.id}/log_entries", {"limit": 100, "is_overview": "true"})
    assert "notify_log_entry" in {e["type"] for e in full}
    assert "notify_log_entry" not in {e["type"] for e in overview["log_entries"]}


def test_unknown_incident_is_404(default_org):
    apis = SimulatedApis(default_org)
    with httpx.Client(base_url=apis.base_url("pagerduty"), transport=apis.transport(), headers=AUTH) as http:
        assert http.get("/incidents/QNOTHING").status_code == 404
        assert http.get("/incidents/QNOTHING/log_entries").status_code == 404


def test_as_of_the_clock_incidents_are_open():
    org = SimulatedOrganisation.generate(OrgConfig(flow_items=120))
    truth = org.delivery_truth()
    target = next(i for i in truth.incidents.values() if i.resolved_at is not None)
    org.set_clock(target.acknowledged_at + timedelta(seconds=1))
    with client(SimulatedApis(org)) as api:
        body = api.get_json(f"/incidents/{target.id}")["incident"]
        assert body["status"] == "acknowledged" and body["resolved_at"] is None
        assert body["acknowledgements"]
        listed = incidents(api, {"date_range": "all", "statuses[]": ["triggered", "acknowledged"]})
        assert target.id in {i["id"] for i in listed}
        types = {e["type"] for e in api.get_json(f"/incidents/{target.id}/log_entries")["log_entries"]}
        assert "resolve_log_entry" not in types


def test_rate_limited_requests_are_retried(small_org):
    slept: list[float] = []
    apis = SimulatedApis(small_org, faults={"pagerduty": FaultPlan(rate_limit_every=2)})
    with client(apis, sleep=slept.append) as api:
        listed = incidents(api, {"date_range": "all"}, limit=5)
    assert listed and len(listed) == len({i["id"] for i in listed})
    assert 429 in [r.status for r in apis.request_log] and slept
