"""The GitHub extractor against an in-memory GitHub speaking the real wire format (httpx MockTransport):
Link paging, newest-first listings, ``created`` ranges with the 1,000-run cap, rate limits and faults."""

from __future__ import annotations

import csv
import json
from collections import Counter
from datetime import UTC, datetime, timedelta

import duckdb
import httpx
import orjson
import pytest

from extractors.common.http import SourceError
from extractors.common.raw_store import RawStore
from extractors.github import extract as github_extract
from extractors.github.client import connect_github
from extractors.github.config import GitHubSourceConfig
from extractors.github.extract import (
    DEPLOYMENT_STATUSES,
    DEPLOYMENTS,
    GITHUB_TABLES,
    PR_COMMITS,
    PR_REVIEWS,
    PR_TIMELINE,
    PULL_REQUESTS,
    RELEASES,
    WORKFLOW_RUNS,
    extract_github,
)
from tests.support.realdata import devlake_payloads, realdata_path

BASE = "https://api.github.test"
TOKEN = "ghp_TOPSECRETtoken1234567890"
REPO = "acme/payments"
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
CLOCK = NOW.timestamp()


def ts(days_ago: float, minutes: int = 0) -> str:
    moment = NOW - timedelta(days=days_ago) + timedelta(minutes=minutes)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


class FakeGitHub:
    """Repositories' pulls, commits, reviews, deployments, statuses, runs and releases, served like GitHub."""

    def __init__(self):
        self.repos: dict[str, dict] = {}
        self.requests: list[httpx.Request] = []
        self.faults: list[tuple[str, httpx.Response]] = []  # (path fragment, response), each used once
        self.run_ranges: list[tuple[datetime, datetime, int]] = []  # created ranges asked for, with totals

    def repo(self, name: str) -> dict:
        return self.repos.setdefault(
            name,
            {
                "pulls": [],
                "commits": {},
                "reviews": {},
                "timeline": {},
                "deployments": [],
                "statuses": {},
                "runs": [],
                "releases": [],
            },
        )

    def add_pull(self, name: str, number: int, updated: str, commits: int = 2, reviews: int = 1) -> dict:
        pr = {
            "id": 1000 + number,
            "number": number,
            "state": "open",
            "title": f"PAY-{number}",
            "created_at": ts(30),
            "updated_at": updated,
            "merged_at": None,
            "merge_commit_sha": None,
            "user": {"login": "ada"},
            "base": {"repo": {"full_name": name, "stargazers_count": 1}},
        }
        data = self.repo(name)
        data["pulls"].append(pr)
        data["commits"][number] = [
            {"sha": f"{number:04d}{i:036d}", "commit": {"message": f"c{i}"}} for i in range(commits)
        ]
        data["reviews"][number] = [
            {
                "id": 5000 + number * 10 + i,
                "state": "APPROVED",
                "user": {"login": "bo"},
                "submitted_at": updated,
            }
            for i in range(reviews)
        ]
        data["timeline"][number] = [
            {"id": 8000 + number, "event": "ready_for_review", "created_at": ts(29)},
            {"sha": f"{number:04d}{0:036d}", "event": "committed"},
        ]
        return pr

    def add_deployment(self, name: str, deployment_id: int, created: str, states: list[str]) -> None:
        data = self.repo(name)
        data["deployments"].append(
            {
                "id": deployment_id,
                "sha": "a" * 40,
                "environment": "production",
                "created_at": created,
                "updated_at": created,
            }
        )
        data["statuses"][deployment_id] = []
        for state in states:
            self.add_status(name, deployment_id, state)

    def add_status(self, name: str, deployment_id: int, state: str) -> None:
        statuses = self.repo(name)["statuses"][deployment_id]
        statuses.append(
            {
                "id": deployment_id * 100 + len(statuses),
                "state": state,
                "created_at": ts(0, minutes=-60 + len(statuses)),
                "environment": "production",
            }
        )

    def add_run(
        self, name: str, run_id: int, created: str, attempt: int = 1, conclusion: str = "success"
    ) -> dict:
        run = {
            "id": run_id,
            "name": "deploy",
            "run_attempt": attempt,
            "status": "completed",
            "conclusion": conclusion,
            "created_at": created,
            "updated_at": created,
            "head_sha": "b" * 40,
        }
        runs = self.repo(name)["runs"]
        runs[:] = [r for r in runs if r["id"] != run_id] + [run]
        return run

    # -- serving --------------------------------------------------------------------------------
    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        assert request.headers["authorization"] == f"Bearer {TOKEN}"
        assert request.headers["x-github-api-version"] == "2022-11-28"
        assert request.headers["accept"] == "application/vnd.github+json"
        path = request.url.path
        for fault in self.faults:
            if fault[0] in path:
                self.faults.remove(fault)
                return fault[1]
        parts = path.strip("/").split("/")
        if parts[0] != "repos" or "/".join(parts[1:3]) not in self.repos:
            return httpx.Response(404, json={"message": "Not Found"})
        data, rest = self.repos["/".join(parts[1:3])], parts[3:]
        match rest:
            case ["pulls"]:
                items = sorted(data["pulls"], key=lambda p: p["updated_at"], reverse=True)
            case ["pulls", number, "commits"]:
                items = data["commits"][int(number)]
            case ["pulls", number, "reviews"]:
                items = data["reviews"][int(number)]
            case ["issues", number, "timeline"]:
                items = data["timeline"][int(number)]
            case ["deployments"]:
                items = sorted(data["deployments"], key=lambda d: d["id"], reverse=True)
            case ["deployments", deployment_id, "statuses"]:
                if int(deployment_id) not in data["statuses"]:
                    return httpx.Response(404, json={"message": "Not Found"})
                items = sorted(data["statuses"][int(deployment_id)], key=lambda s: s["id"], reverse=True)
            case ["actions", "runs"]:
                return self.runs(request, data["runs"])
            case ["releases"]:
                items = data["releases"]
            case _:
                return httpx.Response(404, json={"message": "Not Found"})
        return self.page(request, items)

    def runs(self, request: httpx.Request, runs: list[dict]) -> httpx.Response:
        created = request.url.params.get("created")
        items = sorted(runs, key=lambda r: r["created_at"], reverse=True)
        if created:
            low, up = (parse(v) for v in created.split(".."))
            items = [r for r in items if low <= parse(r["created_at"]) <= up]
            if "page" not in request.url.params:
                self.run_ranges.append((low, up, len(items)))
        return self.page(request, items, wrap=lambda page: {"total_count": len(items), "workflow_runs": page})

    @staticmethod
    def page(request: httpx.Request, items: list, wrap=None) -> httpx.Response:
        number = int(request.url.params.get("page", 1))
        size = int(request.url.params.get("per_page", 30))
        chunk = items[(number - 1) * size : number * size]
        headers = {"x-ratelimit-remaining": "4999", "x-ratelimit-reset": str(int(CLOCK) + 3600)}
        if number * size < len(items):
            headers["link"] = (
                f'<{request.url.copy_set_param("page", number + 1)}>; rel="next", '
                f'<{request.url.copy_set_param("page", -(-len(items) // size))}>; rel="last"'
            )
        return httpx.Response(200, headers=headers, content=orjson.dumps(wrap(chunk) if wrap else chunk))

    def paths(self, since: int = 0) -> list[str]:
        return [r.url.path for r in self.requests[since:]]


@pytest.fixture
def github(monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    return FakeGitHub()


@pytest.fixture
def store():
    return RawStore(duckdb.connect())


def run(github: FakeGitHub, store: RawStore, waits: list | None = None, **options):
    config = GitHubSourceConfig(
        name="acme-gh",
        repositories=options.pop("repositories", (REPO,)),
        base_url=BASE,
        page_size=options.pop("page_size", 2),
        **options,
    )
    with connect_github(
        config,
        transport=httpx.MockTransport(github.handler),
        sleep=(waits if waits is not None else []).append,
        clock=lambda: CLOCK,
    ) as client:
        return extract_github(client, store, config, now=NOW)


def rows(store, table, columns="record_id, parent_id"):
    store.ensure_table(table)
    return store.con.execute(f"SELECT {columns} FROM raw.{table} ORDER BY record_id, fetched_at").fetchall()


def assert_no_duplicates(store):
    for table in GITHUB_TABLES:
        store.ensure_table(table)
        total, distinct = store.con.execute(
            f"SELECT count(*), count(DISTINCT (source, record_id, payload_hash)) FROM raw.{table}"
        ).fetchone()
        assert total == distinct, table


def populate(github: FakeGitHub) -> None:
    for number, age in ((1, 20), (2, 10), (3, 5), (4, 2), (5, 1)):
        github.add_pull(REPO, number, ts(age))
    github.add_deployment(REPO, 71, ts(3), ["in_progress", "success"])
    github.add_deployment(REPO, 72, ts(1), ["queued", "in_progress"])
    github.add_run(REPO, 9001, ts(4))
    github.add_run(REPO, 9002, ts(2), conclusion="failure")
    github.add_run(REPO, 9003, ts(0.5))
    github.repo(REPO)["releases"] = [{"id": 301, "tag_name": "v1.0", "published_at": ts(3)}]


def test_first_run_follows_link_pages_and_lands_every_entity(github, store):
    populate(github)
    report = run(github, store)
    assert report.landed == {
        PULL_REQUESTS: 5,
        PR_COMMITS: 10,
        PR_REVIEWS: 5,
        PR_TIMELINE: 10,
        DEPLOYMENTS: 2,
        DEPLOYMENT_STATUSES: 4,
        WORKFLOW_RUNS: 3,
        RELEASES: 1,
    }
    assert rows(store, PULL_REQUESTS)[0] == ("1001", REPO)
    assert rows(store, PR_COMMITS)[0] == (f"1001:{1:04d}{0:036d}", "1001")
    assert rows(store, PR_REVIEWS)[0] == ("5010", "1001")
    assert ("1001:8001", "1001") in rows(store, PR_TIMELINE)  # ready_for_review, keyed by its id
    assert (f"1001:{1:04d}{0:036d}", "1001") in rows(store, PR_TIMELINE)  # a commit event, keyed by sha
    assert rows(store, DEPLOYMENTS) == [("71", REPO), ("72", REPO)]
    assert ("7101", "71") in rows(store, DEPLOYMENT_STATUSES)
    assert rows(store, WORKFLOW_RUNS)[0] == ("9001", REPO)
    assert rows(store, RELEASES) == [("301", REPO)]
    # five pull requests at two per page: three Link-followed pages
    pull_pages = [r for r in github.requests if r.url.path.endswith("/pulls")]
    assert [r.url.params.get("page") for r in pull_pages] == [None, "2", "3"]
    assert pull_pages[0].url.params["state"] == "all" and pull_pages[0].url.params["sort"] == "updated"
    assert pull_pages[0].url.params["direction"] == "desc" and pull_pages[0].url.params["per_page"] == "2"
    requests = [r for (r,) in rows(store, PULL_REQUESTS, "DISTINCT request")]
    assert any("page=2" in r for r in requests)
    cursors = dict(store.con.execute("SELECT entity, cursor_value FROM meta.cursors").fetchall())
    assert cursors[f"{REPO}:pull_requests"] == ts(1)
    assert orjson.loads(cursors[f"{REPO}:deployments"]) == {"created_at": ts(1), "open": {"72": ts(1)}}
    assert cursors[f"{REPO}:workflow_runs"] == ts(0)


def test_second_run_stops_early_and_reads_children_only_of_changed_pull_requests(github, store):
    populate(github)
    run(github, store)
    github.repos[REPO]["pulls"][1]["updated_at"] = ts(0, minutes=-5)  # PR 2 changed
    github.repos[REPO]["reviews"][2].append({"id": 5099, "state": "COMMENTED", "submitted_at": ts(0)})
    before = len(github.requests)
    report = run(github, store)
    paths = github.paths(before)
    assert report.landed[PULL_REQUESTS] == 1 and report.landed[PR_REVIEWS] == 1
    assert report.landed.get(PR_COMMITS, 0) == 0  # the same commits: read again, landed once
    assert paths.count(f"/repos/{REPO}/pulls") == 2  # the second page holds PRs older than the cursor
    assert f"/repos/{REPO}/pulls/2/commits" in paths and f"/repos/{REPO}/pulls/5/commits" not in paths
    assert sum(run(github, store).landed.values()) == 0
    assert_no_duplicates(store)


def test_deployment_statuses_are_followed_until_terminal(github, store):
    populate(github)
    run(github, store)
    github.add_status(REPO, 72, "success")
    before = len(github.requests)
    report = run(github, store)
    assert report.landed.get(DEPLOYMENT_STATUSES) == 1
    assert f"/repos/{REPO}/deployments/72/statuses" in github.paths(before)
    assert f"/repos/{REPO}/deployments/71/statuses" not in github.paths(before)
    cursor = orjson.loads(store.cursor("acme-gh", f"{REPO}:deployments"))
    assert cursor["open"] == {}
    before = len(github.requests)
    run(github, store)
    assert not any(p.endswith("/statuses") for p in github.paths(before))


def test_an_old_deployment_still_pending_is_followed_beyond_the_listing(github, store):
    populate(github)
    github.add_deployment(REPO, 60, ts(20), ["pending"])
    run(github, store)
    for i in range(5):  # newer deployments push 60 off the pages the incremental listing reads
        github.add_deployment(REPO, 80 + i, ts(0, minutes=-30 + i), ["success"])
    github.add_status(REPO, 60, "failure")
    before = len(github.requests)
    report = run(github, store)
    assert f"/repos/{REPO}/deployments/60/statuses" in github.paths(before)
    assert report.landed[DEPLOYMENTS] == 5
    assert "60" not in orjson.loads(store.cursor("acme-gh", f"{REPO}:deployments"))["open"]


def test_a_rerun_lands_the_same_run_again_as_a_new_version(github, store):
    populate(github)
    run(github, store)
    rerun = github.add_run(REPO, 9002, ts(2), attempt=2)
    rerun["updated_at"] = ts(0)
    report = run(github, store)
    assert report.landed == {WORKFLOW_RUNS: 1}
    versions = rows(store, WORKFLOW_RUNS, "payload->>'run_attempt'")
    assert Counter(v for (v,) in versions) == {"1": 3, "2": 1}
    created = [r.url.params["created"] for r in github.requests if r.url.path.endswith("/actions/runs")]
    assert created[-1] == f"{ts(7)}..{ts(0)}"  # cursor minus the re-run look-back, up to the run time


def test_run_ranges_over_the_cap_are_halved_oldest_first(github, store, monkeypatch):
    monkeypatch.setattr(github_extract, "MAX_FILTERED_RUNS", 3)
    for i in range(10):
        github.add_run(REPO, 100 + i, ts(9 - i))
    report = run(github, store, history_start=NOW - timedelta(days=10))
    assert report.landed[WORKFLOW_RUNS] == 10
    read = [(low, up) for low, up, total in github.run_ranges if total < 3]
    assert len(github.run_ranges) > len(read) >= 4
    # the ranges read are adjacent, oldest first, and cover history_start .. the run time exactly
    assert read[0][0] == NOW - timedelta(days=10) and read[-1][1] == NOW
    assert all(nxt[0] == prev[1] + timedelta(seconds=1) for prev, nxt in zip(read, read[1:], strict=False))
    assert store.cursor("acme-gh", f"{REPO}:workflow_runs") == ts(0)


def test_primary_and_secondary_rate_limits_are_waited_out(github, store):
    populate(github)
    reset = str(int(CLOCK) + 42)
    github.faults += [
        (
            "/pulls",
            httpx.Response(
                403,
                headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": reset},
                json={"message": "API rate limit exceeded"},
            ),
        ),
        (
            "/deployments",
            httpx.Response(
                429,
                headers={"retry-after": "7"},
                json={"message": "You have exceeded a secondary rate limit"},
            ),
        ),
        (
            "/releases",
            httpx.Response(
                403,
                headers={"retry-after": "3"},
                json={"message": "You have exceeded a secondary rate limit"},
            ),
        ),
    ]
    waits: list[float] = []
    report = run(github, store, waits)
    assert waits == [42.0, 7.0, 3.0]
    assert report.landed[PULL_REQUESTS] == 5 and report.landed[RELEASES] == 1 and report.retries == 3


def test_server_errors_are_retried(github, store):
    populate(github)
    github.faults += [
        ("/actions/runs", httpx.Response(502, text="Bad Gateway")),
        ("/reviews", httpx.Response(503, text="unavailable")),
    ]
    waits: list[float] = []
    report = run(github, store, waits)
    assert len(waits) == 2 and report.landed[WORKFLOW_RUNS] == 3 and report.landed[PR_REVIEWS] == 5


def test_an_interrupted_run_resumes_without_landing_anything_twice(github, store):
    populate(github)
    github.faults.append(("/pulls/2/reviews", httpx.Response(404, json={"message": "Not Found"})))
    failed = f"acme-gh: extraction failed for 1 repositories: {REPO}: .*HTTP 404"
    with pytest.raises(SourceError, match=failed):
        run(github, store)
    # the first page (PRs 5 and 4) landed with its children; the cursor did not move
    assert [r for (r,) in rows(store, PULL_REQUESTS, "record_id")] == ["1004", "1005"]
    assert store.cursor("acme-gh", f"{REPO}:pull_requests") is None
    assert store.con.execute("SELECT status FROM meta.batches").fetchall() == [("failed",)]
    before = len(github.requests)
    report = run(github, store)
    paths = github.paths(before)
    assert f"/repos/{REPO}/pulls/5/commits" not in paths and f"/repos/{REPO}/pulls/2/commits" in paths
    assert report.landed[PULL_REQUESTS] == 3 and report.landed[PR_COMMITS] == 6
    assert_no_duplicates(store)
    assert len(rows(store, PR_COMMITS)) == 10


def test_one_repository_failing_does_not_stop_the_others(github, store):
    populate(github)
    failed = "acme/secret: HttpStatusError: acme-gh: GET /repos/acme/secret/pulls"
    with pytest.raises(SourceError, match=failed):
        run(github, store, repositories=("acme/secret", REPO))
    assert len(rows(store, PULL_REQUESTS)) == 5


def test_the_token_never_lands_or_appears_in_errors(github, store):
    populate(github)
    run(github, store)
    github.faults.append(("/pulls", httpx.Response(401, json={"message": "Bad credentials"})))
    with pytest.raises(SourceError) as info:
        run(github, store)
    assert TOKEN not in str(info.value)
    for table in GITHUB_TABLES:
        store.ensure_table(table)
        text = store.con.execute(
            f"SELECT string_agg(CAST(COLUMNS(*) AS VARCHAR), '|') FROM raw.{table}"
        ).fetchall()
        assert TOKEN not in str(text)
    assert TOKEN not in str(store.con.execute("SELECT * FROM meta.batches").fetchall())
    assert TOKEN not in str(store.con.execute("SELECT * FROM meta.cursors").fetchall())


def _devlake_rows(name: str) -> list[dict]:
    csv.field_size_limit(1 << 30)
    path = realdata_path("github", "raw_tables", name)
    text = path.read_text(encoding="utf-8").lstrip("\n")
    return list(csv.DictReader(text.splitlines(keepends=True)))


def test_real_github_payloads_land(github, store):
    pulls = devlake_payloads("github", "raw_tables", "_raw_github_api_pull_requests.csv")
    latest = {}
    for pr in pulls:
        if pr["id"] not in latest or pr["updated_at"] > latest[pr["id"]]["updated_at"]:
            latest[pr["id"]] = pr
    repo = "panjf2000/ants"
    data = github.repo(repo)
    data["pulls"] = list(latest.values())
    numbers = {pr["number"] for pr in data["pulls"]}
    data["commits"] = {n: [] for n in numbers}
    data["reviews"] = {n: [] for n in numbers}
    data["timeline"] = {n: [] for n in numbers}
    for name, key in (
        ("_raw_github_api_pull_request_commits.csv", "commits"),
        ("_raw_github_api_pull_request_reviews.csv", "reviews"),
    ):
        for row in _devlake_rows(name):
            number = json.loads(row["input"])["Number"]
            if number in numbers:
                data[key][number].append(json.loads(row["data"]))
    data["runs"] = devlake_payloads("github", "raw_tables", "_raw_github_api_runs.csv")
    report = run(github, store, repositories=(repo,), page_size=20)
    assert report.landed[PULL_REQUESTS] == len(latest)
    assert report.landed[PR_COMMITS] == sum(len({c["sha"] for c in v}) for v in data["commits"].values())
    assert report.landed[PR_REVIEWS] == len({r["id"] for v in data["reviews"].values() for r in v})
    assert report.landed[WORKFLOW_RUNS] == len({r["id"] for r in data["runs"]})
    pr = store.con.execute(
        f"SELECT payload->>'merge_commit_sha', parent_id FROM raw.{PULL_REQUESTS} "
        "WHERE payload->>'number' = '23'"
    ).fetchone()
    assert pr == (latest[next(i for i, p in latest.items() if p["number"] == 23)]["merge_commit_sha"], repo)
    assert sum(run(github, store, repositories=(repo,), page_size=20).landed.values()) == 0
