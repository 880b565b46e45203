"""The simulated GitHub REST API: token auth, Link-header paging that covers everything once,
rate-limit headers and faults (primary and secondary limits), and payloads that agree with the
ground truth (drafts, reviews, re-run workflow runs, deployment statuses)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import httpx
import pytest

from extractors.common.http import ApiClient, HttpStatusError, RetryPolicy
from extractors.common.paging import iter_link_pages, parse_link_header
from extractors.simulation import FaultPlan, OrgConfig, SimulatedApis, SimulatedOrganisation
from extractors.simulation.timeutil import from_ms

TOKEN = "demo-github-token"
PAYMENTS, MOBILE = "acme/payments-service", "acme/mobile-app"


def client(apis: SimulatedApis, **options) -> ApiClient:
    return ApiClient(
        "demo-github",
        apis.base_url("github"),
        transport=apis.transport(),
        headers={"Authorization": f"Bearer {TOKEN}"},
        **options,
    )


def every(api: ApiClient, path: str, params: dict | None = None, key: str | None = None) -> list:
    return [item for _, page in iter_link_pages(api, path, params) for item in (page[key] if key else page)]


@pytest.fixture(scope="module")
def truth(small_org):
    return small_org.delivery_truth()


@pytest.fixture()
def gh(small_org):
    with client(SimulatedApis(small_org)) as api:
        yield api


def test_token_authentication(small_org):
    apis = SimulatedApis(small_org)
    path = f"/repos/{PAYMENTS}/pulls"
    with httpx.Client(base_url=apis.base_url("github"), transport=apis.transport()) as http:
        assert http.get(path).status_code == 404  # anonymous: private repositories do not exist
        wrong = http.get(path, headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 401 and wrong.json()["message"] == "Bad credentials"
        for header in (f"Bearer {TOKEN}", f"token {TOKEN}"):
            assert http.get(path, headers={"Authorization": header}).status_code == 200
        assert (
            http.get("/repos/acme/nothing/pulls", headers={"Authorization": f"token {TOKEN}"}).status_code
            == 404
        )


def test_pull_requests_page_through_link_headers_once(gh, truth):
    for repo in (PAYMENTS, MOBILE):
        expected = {n for (r, n) in truth.pull_requests if r == repo}
        for per_page in (7, 100):
            listed = every(
                gh,
                f"/repos/{repo}/pulls",
                {"state": "all", "sort": "updated", "direction": "desc", "per_page": per_page},
            )
            numbers = [p["number"] for p in listed]
            assert len(numbers) == len(set(numbers)) and set(numbers) == expected
            updated = [p["updated_at"] for p in listed]
            assert updated == sorted(updated, reverse=True)
    runs = gh.get(f"/repos/{PAYMENTS}/actions/runs", {"per_page": 500})
    assert len(runs.json()["workflow_runs"]) == 100  # per_page is capped at 100
    first = gh.get(f"/repos/{PAYMENTS}/pulls", {"state": "all", "per_page": 10})
    links = parse_link_header(first.headers["link"])
    assert set(links) == {"next", "last"}
    last = gh.get(links["last"])
    assert set(parse_link_header(last.headers["link"])) == {"first", "prev"}
    page = int(re.search(r"[?&]page=(\d+)", links["last"]).group(1))
    assert gh.get_json(f"/repos/{PAYMENTS}/pulls", {"state": "all", "per_page": 10, "page": page + 1}) == []
    assert {p["state"] for p in gh.get_json(f"/repos/{PAYMENTS}/pulls")} == {"open"}


def test_pull_request_payloads_agree_with_the_truth(gh, truth):
    merged = [p for p in truth.pull_requests.values() if p.state == "merged"][:40]
    for expected in merged:
        path = f"/repos/{expected.repository}/pulls/{expected.number}"
        pr = gh.get_json(path)
        assert pr["merged_at"] == expected.merged_at.strftime("%Y-%m-%dT%H:%M:%SZ")
        assert pr["merge_commit_sha"] == expected.merge_commit_sha and pr["merged"] is True
        assert pr["head"]["ref"] == expected.head_ref and pr["base"]["ref"] == "main"
        assert pr["user"]["type"] == ("Bot" if expected.is_bot else "User")
        commits = every(gh, f"{path}/commits", {"per_page": 5})
        assert tuple(c["sha"] for c in commits) == expected.commit_shas
        first = min(datetime.fromisoformat(c["commit"]["author"]["date"]) for c in commits)
        assert first == expected.first_commit_at
        reviews = every(gh, f"{path}/reviews")
        human = [
            r for r in reviews if r["user"]["type"] == "User" and r["user"]["login"] != pr["user"]["login"]
        ]
        assert datetime.fromisoformat(human[0]["submitted_at"]) == expected.first_review_at
        assert {r["state"] for r in reviews} <= {"APPROVED", "CHANGES_REQUESTED", "COMMENTED"}


def test_drafts_record_ready_for_review_in_the_timeline(small_org, gh, truth):
    drafts = [p for p in truth.pull_requests.values() if "draft_pr" in p.edge_cases and p.ready_at]
    assert drafts
    for expected in drafts:
        events = every(gh, f"/repos/{expected.repository}/issues/{expected.number}/timeline", {"per_page": 4})
        ready = [e for e in events if e["event"] == "ready_for_review"]
        assert len(ready) == 1 and datetime.fromisoformat(ready[0]["created_at"]) == expected.ready_at
        assert expected.ready_at > expected.created_at
    org = SimulatedOrganisation.generate(OrgConfig(flow_items=120))
    target = drafts[0]
    org.set_clock(target.ready_at - timedelta(seconds=1))
    with client(SimulatedApis(org)) as early:
        pr = early.get_json(f"/repos/{target.repository}/pulls/{target.number}")
        assert pr["draft"] is True and pr["state"] == "open" and pr["merged_at"] is None
        events = early.get_json(f"/repos/{target.repository}/issues/{target.number}/timeline")
        assert "ready_for_review" not in {e["event"] for e in events}


def test_deployments_and_their_statuses(gh, truth):
    for repo in (PAYMENTS, MOBILE):
        listed = every(gh, f"/repos/{repo}/deployments", {"per_page": 100})
        records = {r for d in truth.deployments.values() if d.repository == repo for r in d.record_ids}
        assert {d["id"] for d in listed} == records
        assert [d["id"] for d in listed] == sorted((d["id"] for d in listed), reverse=True)
        environments = {d["environment"] for d in listed}
        assert {"production", "staging"} <= environments
        production = every(gh, f"/repos/{repo}/deployments", {"environment": "production", "per_page": 50})
        assert {d["environment"] for d in production} == {"production"}
    assert any(e.startswith("preview-") for e in {d.environment for d in truth.deployments.values()})
    assert {"qa", "prod-eu"} <= {d.environment for d in truth.deployments.values()}
    failed = next(d for d in truth.deployments.values() if "failed_deployment" in d.edge_cases)
    statuses = gh.get_json(f"/repos/{failed.repository}/deployments/{failed.id}/statuses")
    assert statuses[0]["state"] == "failure"  # newest first
    assert [s["state"] for s in statuses][::-1] == ["queued", "in_progress", "failure"]
    superseded = next(
        d for d in truth.deployments.values() if d.latest_state == "inactive" and d.is_production
    )
    states = [
        s["state"]
        for s in gh.get_json(f"/repos/{superseded.repository}/deployments/{superseded.id}/statuses")
    ]
    assert states[0] == "inactive" and "success" in states
    rollback = next(d for d in truth.deployments.values() if d.is_rollback)
    payload = gh.get_json(f"/repos/{rollback.repository}/deployments/{rollback.id}")
    assert payload["sha"] == rollback.sha and payload["description"].startswith("Rollback to ")


def test_workflow_runs_with_a_flaky_rerun(small_org, gh, truth):
    flaky = [d for d in truth.deployments.values() if "flaky_rerun" in d.edge_cases]
    run_id = flaky[0].run_id
    runs = every(gh, f"/repos/{PAYMENTS}/actions/runs", {"per_page": 100}, key="workflow_runs")
    assert len({r["id"] for r in runs}) == len(runs)
    run = next(r for r in runs if r["id"] == run_id)
    assert run["name"] == "deploy-production" and run["run_attempt"] == 2 and run["conclusion"] == "success"
    assert run["previous_attempt_url"].endswith("/attempts/1")
    assert run["run_started_at"] > run["created_at"]
    ci = every(gh, f"/repos/{MOBILE}/actions/runs", {"per_page": 100, "event": "push"}, key="workflow_runs")
    assert any(r["name"] == "ci" and r["run_attempt"] == 2 for r in ci)
    # between the attempts the same run shows attempt 1, failed
    org = SimulatedOrganisation.generate(OrgConfig(flow_items=120))
    first_attempt = small_org.delivery.deployment_by_id[min(flaky[0].record_ids)]
    org.set_clock(from_ms(first_attempt.finished_ms) + timedelta(minutes=1))
    with client(SimulatedApis(org)) as early:
        before = early.get_json(f"/repos/{PAYMENTS}/actions/runs/{run_id}")
        assert before["run_attempt"] == 1 and before["conclusion"] == "failure"


def test_workflow_runs_filter_by_created(gh):
    everything = gh.get_json(f"/repos/{MOBILE}/actions/runs", {"per_page": 1})["total_count"]
    june = every(
        gh,
        f"/repos/{MOBILE}/actions/runs",
        {"per_page": 100, "created": "2026-06-01T00:00:00Z..2026-06-30T23:59:59Z"},
        key="workflow_runs",
    )
    assert 0 < len(june) < everything
    assert all("2026-06-01" <= r["created_at"][:10] <= "2026-06-30" for r in june)
    since = gh.get_json(f"/repos/{MOBILE}/actions/runs", {"created": ">=2026-10-01", "per_page": 100})
    assert all(r["created_at"] >= "2026-10-01" for r in since["workflow_runs"])


def test_releases_are_tagged_deployments(gh, truth):
    releases = every(gh, f"/repos/{PAYMENTS}/releases", {"per_page": 50})
    assert releases and all(re.fullmatch(r"v2026\.\d\d\.\d\d\.\d", r["tag_name"]) for r in releases)
    refs = {
        d.ref
        for d in truth.deployments.values()
        if d.repository == PAYMENTS and d.environment == "production"
    }
    assert {r["tag_name"] for r in releases} <= refs | {None}


def test_rate_limit_headers_on_every_response(small_org):
    apis = SimulatedApis(small_org)
    with httpx.Client(base_url=apis.base_url("github"), transport=apis.transport()) as http:
        responses = [
            http.get(f"/repos/{PAYMENTS}/pulls", headers={"Authorization": f"token {TOKEN}"}),
            http.get("/repos/acme/nothing", headers={"Authorization": f"token {TOKEN}"}),
            http.get(f"/repos/{PAYMENTS}/pulls", headers={"Authorization": "token wrong"}),
        ]
    for n, response in enumerate(responses, start=1):
        assert response.headers["x-ratelimit-limit"] == "5000"
        assert response.headers["x-ratelimit-used"] == str(n)
        assert response.headers["x-ratelimit-remaining"] == str(5000 - n)
        assert int(response.headers["x-ratelimit-reset"]) > 0


class FakeTime:
    def __init__(self, now: float = 1_800_000_000.0):
        self.now = now
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def test_primary_limit_fault_makes_the_client_wait_for_the_reset(small_org):
    fake = FakeTime()
    apis = SimulatedApis(
        small_org,
        faults={"github": FaultPlan(primary_limit_at=frozenset({2}), rate_limit_reset_seconds=120)},
        wall_clock=fake.clock,
    )
    with httpx.Client(
        base_url=apis.base_url("github"),
        transport=apis.transport(),
        headers={"Authorization": f"token {TOKEN}"},
    ) as http:
        http.get(f"/repos/{PAYMENTS}")
        limited = http.get(f"/repos/{PAYMENTS}")
    assert limited.status_code == 403 and limited.headers["x-ratelimit-remaining"] == "0"
    assert int(limited.headers["x-ratelimit-reset"]) == int(fake.now + 120)
    apis = SimulatedApis(
        small_org,
        faults={"github": FaultPlan(primary_limit_at=frozenset({2}), rate_limit_reset_seconds=120)},
        wall_clock=fake.clock,
    )
    with client(apis, sleep=fake.sleep, clock=fake.clock) as api:
        pulls = every(api, f"/repos/{PAYMENTS}/pulls", {"state": "all", "per_page": 20})
    assert fake.slept == [120] and api.stats.rate_limited == 1
    assert [r.status for r in apis.request_log].count(403) == 1
    assert len(pulls) == len({p["number"] for p in pulls})


@pytest.mark.parametrize("status", [403, 429])
def test_secondary_limit_fault_answers_retry_after(small_org, status):
    fake = FakeTime()
    apis = SimulatedApis(
        small_org,
        faults={
            "github": FaultPlan(
                secondary_limit_at=frozenset({1, 3}), secondary_limit_status=status, retry_after_seconds=7
            )
        },
        wall_clock=fake.clock,
    )
    with client(apis, sleep=fake.sleep, clock=fake.clock) as api:
        listed = every(api, f"/repos/{MOBILE}/deployments", {"per_page": 100})
    assert fake.slept == [7, 7]
    assert [r.status for r in apis.request_log][:4] == [status, 200, status, 200]
    assert len(listed) == len({d["id"] for d in listed})


def test_exhausted_quota_answers_403_until_the_window_resets(small_org):
    fake = FakeTime()
    apis = SimulatedApis(small_org, faults={"github": FaultPlan(rate_limit_quota=3)}, wall_clock=fake.clock)
    with httpx.Client(
        base_url=apis.base_url("github"),
        transport=apis.transport(),
        headers={"Authorization": f"token {TOKEN}"},
    ) as http:
        answers = [http.get(f"/repos/{PAYMENTS}") for _ in range(4)]
        assert [r.status_code for r in answers] == [200, 200, 200, 403]
        assert answers[2].headers["x-ratelimit-remaining"] == "0"
        fake.now = int(answers[3].headers["x-ratelimit-reset"])
        assert http.get(f"/repos/{PAYMENTS}").status_code == 200
    with client(
        SimulatedApis(small_org, faults={"github": FaultPlan(rate_limit_quota=2)}, wall_clock=fake.clock),
        sleep=fake.sleep,
        clock=fake.clock,
        retry=RetryPolicy(max_rate_limit_wait_seconds=10),
    ) as api:
        api.get(f"/repos/{PAYMENTS}")
        with pytest.raises(HttpStatusError):  # the reset is an hour away: more than the client will wait
            api.get(f"/repos/{PAYMENTS}")
            api.get(f"/repos/{PAYMENTS}")


def test_transport_and_loopback_answer_the_same_bodies(small_org):
    apis = SimulatedApis(small_org)
    path = f"/repos/{MOBILE}/pulls"
    params = {"state": "all", "per_page": 10, "page": 2}
    headers = {"Authorization": f"token {TOKEN}"}
    with httpx.Client(base_url=apis.base_url("github"), transport=apis.transport(), headers=headers) as http:
        in_process = http.get(path, params=params)
    with apis.serve() as server, httpx.Client(base_url=server.base_url("github"), headers=headers) as http:
        over_loopback = http.get(path, params=params)
        nxt = parse_link_header(over_loopback.headers["link"])["next"]
        assert nxt.startswith(server.base_url("github")) and http.get(nxt).status_code == 200
    assert over_loopback.content == in_process.content


def test_same_seed_same_payloads():
    bodies = []
    for _ in range(2):
        org = SimulatedOrganisation.generate(OrgConfig(flow_items=120))
        with client(SimulatedApis(org)) as api:
            bodies.append(
                [
                    api.get(path, {"per_page": 100, "state": "all"}).content
                    for path in (
                        f"/repos/{PAYMENTS}/pulls",
                        f"/repos/{MOBILE}/deployments",
                        f"/repos/{MOBILE}/actions/runs",
                        f"/repos/{PAYMENTS}/releases",
                    )
                ]
            )
    assert bodies[0] == bodies[1]
