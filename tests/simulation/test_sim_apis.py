"""The router: authentication, fault plans, the request log, the real ApiClient on top, and the
loopback server answering the same bytes as the in-process transport."""

from __future__ import annotations

import httpx
import pytest

from extractors.common.http import ApiClient, RetryPolicy
from extractors.simulation import FaultPlan, SimulatedApis, SimulatedInterruption

from .helpers import AUTH, jira_client

MYSELF = "/rest/api/3/myself"
SEARCH = "/rest/api/3/search/jql"


def test_basic_auth_is_required(small_org):
    apis = SimulatedApis(small_org)
    for auth in (None, ("demo@example.com", "wrong"), ("someone@example.com", "demo-token")):
        with jira_client(apis, auth=auth) as client:
            response = client.get(MYSELF)
            assert response.status_code == 401
            assert response.json() == {
                "errorMessages": ["Client must be authenticated to access this resource."],
                "errors": {},
            }
    with jira_client(apis) as client:
        assert client.get(MYSELF).status_code == 200


def test_bearer_token_when_credentials_are_a_single_string(small_org):
    apis = SimulatedApis(small_org, credentials={"jira": "pat-123"})
    with jira_client(apis, auth=None) as client:
        assert client.get(MYSELF, headers={"Authorization": "Bearer pat-123"}).status_code == 200
        assert client.get(MYSELF, headers={"Authorization": "Bearer nope"}).status_code == 401


def test_unknown_paths_and_sources(small_org):
    apis = SimulatedApis(small_org)
    with jira_client(apis) as client:
        assert client.get("/rest/api/3/nothing-here").status_code == 404
        assert client.get(SEARCH.replace("search/jql", "changelog/bulkfetch")).status_code == 405
    with httpx.Client(base_url=apis.base_url("github"), transport=apis.transport()) as client:
        assert client.get("/repos").status_code == 404


def test_rate_limits_and_server_errors_by_request_number(small_org):
    apis = SimulatedApis(
        small_org,
        faults={
            "jira": FaultPlan(rate_limit_every=3, retry_after_seconds=2, server_errors_at=frozenset({1}))
        },
    )
    with jira_client(apis) as client:
        statuses = [client.get(MYSELF) for _ in range(6)]
    assert [r.status_code for r in statuses] == [503, 200, 429, 200, 200, 429]
    assert statuses[2].headers["retry-after"] == "2"
    assert [entry.status for entry in apis.request_log] == [503, 200, 429, 200, 200, 429]
    assert apis.request_log[0] == ("jira", "GET", MYSELF, {}, 503)


def test_interruption_is_not_a_transport_error(small_org):
    apis = SimulatedApis(small_org, faults={"jira": FaultPlan(interrupt_after=2)})
    assert not issubclass(SimulatedInterruption, httpx.TransportError)
    with jira_client(apis) as client:
        assert client.get(MYSELF).status_code == 200
        assert client.get(MYSELF).status_code == 200
        with pytest.raises(SimulatedInterruption):
            client.get(MYSELF)
        assert client.get(MYSELF).status_code == 200  # a resumed run goes on


def test_the_real_client_retries_through_faults(small_org):
    apis = SimulatedApis(
        small_org, faults={"jira": FaultPlan(rate_limit_every=2, server_errors_at=frozenset({3}))}
    )
    waits: list[float] = []
    client = ApiClient(
        "jira",
        apis.base_url("jira"),
        auth=httpx.BasicAuth(*AUTH),
        transport=apis.transport(),
        retry=RetryPolicy(max_attempts=5),
        sleep=waits.append,
    )
    with client:
        pages = [client.get_json(SEARCH, {"jql": "project = PAY", "maxResults": 5}) for _ in range(3)]
    assert all(len(page["issues"]) == 5 for page in pages)
    assert [entry.status for entry in apis.request_log] == [200, 429, 503, 429, 200, 429, 200]
    assert waits.count(1.0) >= 3 and client.stats.rate_limited == 3


def test_request_log_records_queries(small_org):
    apis = SimulatedApis(small_org)
    with jira_client(apis) as client:
        client.get(SEARCH, params={"jql": "project = PAY", "fields": "status"})
    assert apis.request_log == [("jira", "GET", SEARCH, {"jql": "project = PAY", "fields": "status"}, 200)]


def test_loopback_server_answers_the_same_bytes(small_org):
    apis = SimulatedApis(small_org)
    requests = [
        ("GET", SEARCH, {"params": {"jql": "project in (PAY, MOB) ORDER BY key", "fields": "*all"}}),
        (
            "POST",
            "/rest/api/3/changelog/bulkfetch",
            {"json": {"issueIdsOrKeys": ["10005", "10042", "PAY-3"]}},
        ),
        ("GET", "/rest/api/3/status", {}),
        ("GET", MYSELF, {}),
    ]
    with (
        apis.serve() as server,
        jira_client(apis) as local,
        httpx.Client(base_url=server.base_url("jira"), auth=AUTH) as remote,
    ):
        assert server.base_url("jira").startswith("http://127.0.0.1:")
        for method, path, kwargs in requests:
            a, b = local.request(method, path, **kwargs), remote.request(method, path, **kwargs)
            assert (a.status_code, a.content) == (b.status_code, b.content)
            assert b.headers["content-type"].startswith("application/json")
        assert remote.get(MYSELF, auth=("x", "y")).status_code == 401


def test_loopback_interruption_hangs_up(small_org):
    apis = SimulatedApis(small_org, faults={"jira": FaultPlan(interrupt_after=0)})
    with apis.serve() as server, httpx.Client(base_url=server.base_url("jira"), auth=AUTH) as client:
        with pytest.raises(httpx.RemoteProtocolError):
            client.get(MYSELF)
        assert client.get(MYSELF).status_code == 200
