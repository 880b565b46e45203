"""The simulated GitHub REST API (v3 wire format) for the organisation's two repositories.

Token authentication (``Authorization: Bearer <token>`` or ``token <token>``; no header: private
repositories answer 404 as GitHub does; a wrong token 401 ``Bad credentials``). Lists page with
``per_page`` (default 30, at most 100) and ``page``, and say where the next and last pages are in a
``Link`` header. Every response carries the primary rate-limit headers (``x-ratelimit-limit``,
``-remaining``, ``-used``, ``-reset``, ``-resource``) of an hourly window on the wall clock; a
:class:`~extractors.simulation.faults.FaultPlan` can exhaust it or answer secondary limits.

Everything is answered as of the organisation's clock.
"""

from __future__ import annotations

import hmac
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from extractors.simulation.delivery.identities import GITHUB_ACTIONS
from extractors.simulation.delivery.model import DeliveryModel, RepoHistory
from extractors.simulation.faults import FaultPlan
from extractors.simulation.github import render
from extractors.simulation.timeutil import to_ms
from extractors.simulation.wire import BadRequest, SimRequest, SimResponse, json_response

DOCS = "https://docs.github.com/rest"
PER_PAGE_DEFAULT, PER_PAGE_MAX = 30, 100
PR_COMMITS_MAX = 250
FILTERED_RUNS_MAX = 1000
RUN_FILTERS = ("actor", "branch", "check_suite_id", "created", "event", "head_sha", "status")
WINDOW_SECONDS = 3600
DEFAULT_QUOTA = 5000
SECONDARY = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you "
    "reach out to GitHub Support for help, please include the request ID 0000:0000:0000000:0000000:00000000."
)


def github_error(status: int, message: str, headers: tuple[tuple[str, str], ...] = ()) -> SimResponse:
    return json_response(
        status, {"message": message, "documentation_url": DOCS, "status": str(status)}, headers
    )


class RateWindow:
    """GitHub's primary limit: ``quota`` requests per hour, the hour starting with the first request."""

    def __init__(self, quota: int, wall_clock: Callable[[], float]):
        self.quota, self.wall_clock = quota, wall_clock
        self.reset = 0
        self.used = 0
        self.lock = threading.Lock()

    def take(self) -> tuple[int, int, int, bool]:
        """Count one request: ``(used, remaining, reset, allowed)``."""
        with self.lock:
            now = self.wall_clock()
            if now >= self.reset:
                self.reset, self.used = int(now) + WINDOW_SECONDS, 0
            allowed = self.used < self.quota
            if allowed:
                self.used += 1
            return self.used, self.quota - self.used, self.reset, allowed

    def headers(self, used: int, remaining: int, reset: int) -> tuple[tuple[str, str], ...]:
        return (
            ("x-ratelimit-limit", str(self.quota)),
            ("x-ratelimit-remaining", str(max(remaining, 0))),
            ("x-ratelimit-reset", str(reset)),
            ("x-ratelimit-used", str(used)),
            ("x-ratelimit-resource", "core"),
            ("x-github-api-version-selected", "2022-11-28"),
            ("x-github-media-type", "github.v3; format=json"),
        )


def parse_instant(text: str, end_of_day: bool) -> int:
    text = text.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            day = datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=UTC)
            return to_ms(day + timedelta(days=1)) - 1 if end_of_day else to_ms(day)
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise BadRequest(f"Invalid created qualifier: {text!r}") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return to_ms(moment) + (999 if end_of_day else 0)


def created_range(qualifier: str) -> tuple[int | None, int | None]:
    """GitHub's ``created`` search qualifier → inclusive ``(low, high)`` epoch ms (None: open)."""
    q = qualifier.strip()
    if ".." in q:
        low, high = q.split("..", 1)
        return (
            None if low in ("", "*") else parse_instant(low, False),
            None if high in ("", "*") else parse_instant(high, True),
        )
    for op in (">=", "<=", ">", "<"):
        if q.startswith(op):
            value = q[len(op) :]
            if op == ">=":
                return parse_instant(value, False), None
            if op == ">":
                return parse_instant(value, True) + 1, None
            if op == "<=":
                return None, parse_instant(value, True)
            return None, parse_instant(value, False) - 1
    return parse_instant(q, False), parse_instant(q, True)


class GitHubApi:
    """The GitHub REST API of one organisation, mounted at ``/<mount>``."""

    def __init__(
        self,
        org,
        token: str | None,
        plan: FaultPlan | None = None,
        wall_clock: Callable[[], float] = time.time,
        mount: str = "github",
    ):
        self.org = org
        self.token = token
        self.plan = plan or FaultPlan()
        self.mount = mount
        self.window = RateWindow(self.plan.rate_limit_quota or DEFAULT_QUOTA, wall_clock)
        self.wall_clock = wall_clock
        self._lock = threading.Lock()
        self._cache: OrderedDict[tuple, Any] = OrderedDict()
        repo = r"/repos/([^/]+/[^/]+)"
        self.routes: list[tuple[re.Pattern, Callable[..., SimResponse]]] = [
            (re.compile(r"/rate_limit"), self.rate_limit),
            (re.compile(r"/user"), self.current_user),
            (re.compile(repo), self.repository),
            (re.compile(repo + r"/pulls"), self.pulls),
            (re.compile(repo + r"/pulls/(\d+)"), self.pull),
            (re.compile(repo + r"/pulls/(\d+)/commits"), self.pull_commits),
            (re.compile(repo + r"/pulls/(\d+)/reviews"), self.pull_reviews),
            (re.compile(repo + r"/issues/(\d+)/timeline"), self.timeline),
            (re.compile(repo + r"/deployments"), self.deployments),
            (re.compile(repo + r"/deployments/(\d+)"), self.deployment),
            (re.compile(repo + r"/deployments/(\d+)/statuses"), self.deployment_statuses),
            (re.compile(repo + r"/actions/runs"), self.runs),
            (re.compile(repo + r"/actions/runs/(\d+)"), self.run),
            (re.compile(repo + r"/releases"), self.releases),
        ]

    @property
    def model(self) -> DeliveryModel:
        return self.org.delivery

    @property
    def now(self) -> int:
        return self.org.clock_ms

    # plumbing

    def handle(self, request: SimRequest) -> SimResponse:
        path = request.path.rstrip("/") or "/"
        free = path == "/rate_limit"
        used, remaining, reset, allowed = (
            (self.window.used, self.window.quota - self.window.used, self.window.reset, True)
            if free
            else self.window.take()
        )
        headers = self.window.headers(used, remaining, reset)
        authorised = self.authorised(request.headers.get("authorization"))
        if authorised is False:
            return github_error(401, "Bad credentials", headers)
        if not allowed:
            return github_error(
                403,
                "API rate limit exceeded for user ID 1. If you reach out to GitHub Support for "
                "help, please include the request ID 0000:0000:0000000:0000000:00000000.",
                headers,
            )
        if request.method != "GET":
            return github_error(404, "Not Found", headers)
        for pattern, handler in self.routes:
            match = pattern.fullmatch(path)
            if match is None:
                continue
            if authorised is None and path != "/rate_limit":
                return (
                    github_error(401, "Requires authentication", headers)
                    if path == "/user"
                    else github_error(404, "Not Found", headers)
                )
            try:
                response = handler(request, *match.groups())
            except BadRequest as exc:
                return github_error(422, str(exc), headers)
            return SimResponse(response.status, response.body, response.headers + headers)
        return github_error(404, "Not Found", headers)

    def authorised(self, header: str | None) -> bool | None:
        """True: a good token; False: a wrong one; None: no credentials at all."""
        if self.token is None:
            return True
        if not header:
            return None
        scheme, _, value = header.partition(" ")
        if scheme.lower() not in ("bearer", "token"):
            return False
        return hmac.compare_digest(value.strip(), self.token)

    def rate_limited(self, retry_after_seconds: float) -> SimResponse:
        """A secondary rate limit answered 429 (the router's ``rate_limit_every``)."""
        return self.secondary_limited(retry_after_seconds, 429)

    def secondary_limited(self, retry_after_seconds: float, status: int = 403) -> SimResponse:
        used, remaining, reset, _ = self.window.take()
        seconds = int(retry_after_seconds) if float(retry_after_seconds).is_integer() else retry_after_seconds
        return github_error(
            status, SECONDARY, (("retry-after", str(seconds)), *self.window.headers(used, remaining, reset))
        )

    def primary_limited(self, reset_seconds: float) -> SimResponse:
        """The primary limit exhausted: 403, ``x-ratelimit-remaining: 0``, reset in ``reset_seconds``."""
        used, _, _, _ = self.window.take()
        reset = int(self.wall_clock() + reset_seconds)
        return github_error(
            403,
            "API rate limit exceeded for user ID 1.",
            self.window.headers(max(used, self.window.quota), 0, reset),
        )

    def unavailable(self) -> SimResponse:
        used, remaining, reset, _ = self.window.take()
        return github_error(503, "Service Unavailable", self.window.headers(used, remaining, reset))

    def cached(self, key: tuple, compute: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        value = compute()
        with self._lock:
            self._cache[key] = value
            while len(self._cache) > 64:
                self._cache.popitem(last=False)
        return value

    def history(self, full_name: str) -> RepoHistory | None:
        repo = render.repository_of(full_name)
        return None if repo is None else self.model.repos[repo.index]

    def paged(
        self,
        request: SimRequest,
        items: list[Any],
        to_json: Callable[[Any], Any],
        *,
        cap: int | None = None,
        wrap: Callable[[list[Any]], Any] | None = None,
    ) -> SimResponse:
        """One page of ``items`` with GitHub's ``Link`` header (next, last, first, prev)."""
        per_page = _int(request.param("per_page"), PER_PAGE_DEFAULT)
        per_page = min(max(per_page, 1), PER_PAGE_MAX)
        page = max(_int(request.param("page"), 1), 1)
        reachable = items if cap is None else items[:cap]
        last = max((len(reachable) + per_page - 1) // per_page, 1)
        chosen = reachable[(page - 1) * per_page : page * per_page]
        links = []
        if page < last:
            links += [(page + 1, "next"), (last, "last")]
        if page > 1:
            links += [(1, "first"), (min(page - 1, last), "prev")]
        headers = (
            (("link", ", ".join(f'<{self.url(request, n)}>; rel="{rel}"' for n, rel in links)),)
            if links
            else ()
        )
        body = [to_json(x) for x in chosen]
        return json_response(200, wrap(body) if wrap else body, headers)

    def url(self, request: SimRequest, page: int) -> str:
        host = request.headers.get("host", "sim.streamgauge.test")
        query = {k: v for k, v in request.query.items() if k != "page"}
        query["page"] = [str(page)]
        return f"http://{host}/{self.mount}{request.path}?{urlencode(query, doseq=True)}"

    # endpoints

    def rate_limit(self, request: SimRequest) -> SimResponse:
        w = self.window
        core = {
            "limit": w.quota,
            "used": w.used,
            "remaining": w.quota - w.used,
            "reset": w.reset,
            "resource": "core",
        }
        return json_response(200, {"resources": {"core": core}, "rate": core})

    def current_user(self, request: SimRequest) -> SimResponse:
        return json_response(200, render.user(GITHUB_ACTIONS))

    def repository(self, request: SimRequest, full_name: str) -> SimResponse:
        history = self.history(full_name)
        if history is None:
            return github_error(404, "Not Found")
        return json_response(200, render.repository(history.repo))

    def pulls(self, request: SimRequest, full_name: str) -> SimResponse:
        history = self.history(full_name)
        if history is None:
            return github_error(404, "Not Found")
        now = self.now
        state = request.param("state") or "open"
        sort = request.param("sort") or "created"
        direction = request.param("direction") or ("desc" if sort in ("created", "updated") else "asc")
        head, base = request.param("head"), request.param("base")
        if state not in ("open", "closed", "all"):
            raise BadRequest(f"Invalid state: {state}")

        def compute() -> list:
            chosen = []
            for p in history.pulls:
                if p.created_ms > now:
                    continue
                closed = p.closed_ms is not None and p.closed_ms <= now
                if (state == "open" and closed) or (state == "closed" and not closed):
                    continue
                if head and head.split(":")[-1] != p.head_ref or base and base != p.base_ref:
                    continue
                chosen.append(p)
            if sort == "updated":
                chosen.sort(key=lambda p: (max(t for t in p.activity() if t <= now), p.number))
            else:
                chosen.sort(key=lambda p: (p.created_ms, p.number))
            return chosen[::-1] if direction == "desc" else chosen

        items = self.cached(("pulls", full_name, state, sort, direction, head, base, now), compute)
        return self.paged(request, items, lambda p: render.pull(history, p, now))

    def find_pull(self, full_name: str, number: str):
        history = self.history(full_name)
        if history is None:
            return None, None
        n = int(number)
        if not 1 <= n <= len(history.pulls) or history.pulls[n - 1].created_ms > self.now:
            return history, None
        return history, history.pulls[n - 1]

    def pull(self, request: SimRequest, full_name: str, number: str) -> SimResponse:
        history, p = self.find_pull(full_name, number)
        if p is None:
            return github_error(404, "Not Found")
        return json_response(200, render.pull(history, p, self.now, full=True))

    def pull_commits(self, request: SimRequest, full_name: str, number: str) -> SimResponse:
        history, p = self.find_pull(full_name, number)
        if p is None:
            return github_error(404, "Not Found")
        commits = [history.by_sha[s] for s in p.commits_at(self.now)]
        return self.paged(request, commits, lambda c: render.commit(history, c), cap=PR_COMMITS_MAX)

    def pull_reviews(self, request: SimRequest, full_name: str, number: str) -> SimResponse:
        history, p = self.find_pull(full_name, number)
        if p is None:
            return github_error(404, "Not Found")
        reviews = [r for r in p.reviews if r.submitted_ms <= self.now]
        return self.paged(request, reviews, lambda r: render.review(history, p, r))

    def timeline(self, request: SimRequest, full_name: str, number: str) -> SimResponse:
        history, p = self.find_pull(full_name, number)
        if p is None:
            return github_error(404, "Not Found")
        return self.paged(request, render.timeline(history, p, self.now), lambda e: e)

    def deployments(self, request: SimRequest, full_name: str) -> SimResponse:
        history = self.history(full_name)
        if history is None:
            return github_error(404, "Not Found")
        now = self.now
        filters = {k: request.param(k) for k in ("sha", "ref", "task", "environment")}

        def compute() -> list:
            chosen = [
                d
                for d in history.deployments
                if d.created_ms <= now
                and (not filters["sha"] or filters["sha"] == d.sha)
                and (not filters["ref"] or filters["ref"] == d.ref)
                and (not filters["task"] or filters["task"] == "deploy")
                and (not filters["environment"] or filters["environment"] == d.environment)
            ]
            return sorted(chosen, key=lambda d: d.id, reverse=True)

        items = self.cached(("deployments", full_name, tuple(filters.items()), now), compute)
        return self.paged(request, items, lambda d: render.deployment(history, d, now))

    def find_deployment(self, full_name: str, deployment_id: str):
        history = self.history(full_name)
        d = self.model.deployment_by_id.get(int(deployment_id)) if history is not None else None
        if d is None or d.repo != history.repo.index or d.created_ms > self.now:
            return history, None
        return history, d

    def deployment(self, request: SimRequest, full_name: str, deployment_id: str) -> SimResponse:
        history, d = self.find_deployment(full_name, deployment_id)
        if d is None:
            return github_error(404, "Not Found")
        return json_response(200, render.deployment(history, d, self.now))

    def deployment_statuses(self, request: SimRequest, full_name: str, deployment_id: str) -> SimResponse:
        history, d = self.find_deployment(full_name, deployment_id)
        if d is None:
            return github_error(404, "Not Found")
        statuses = sorted(
            (s for s in d.statuses if s.ms <= self.now), key=lambda s: (s.ms, s.id), reverse=True
        )
        return self.paged(request, statuses, lambda s: render.deployment_status(history, d, s))

    def runs(self, request: SimRequest, full_name: str) -> SimResponse:
        history = self.history(full_name)
        if history is None:
            return github_error(404, "Not Found")
        now = self.now
        created = request.param("created")
        low, high = created_range(created) if created else (None, None)
        branch, event, head_sha = request.param("branch"), request.param("event"), request.param("head_sha")
        status = request.param("status")

        def compute() -> list:
            chosen = []
            for run in history.runs:
                if (
                    run.created_ms > now
                    or (low is not None and run.created_ms < low)
                    or (high is not None and run.created_ms > high)
                ):
                    continue
                if branch and run.head_branch != branch or event and run.event != event:
                    continue
                if head_sha and run.head_sha != head_sha:
                    continue
                if status:
                    n, attempt = run.attempt_at(now)
                    done = attempt.finished_ms <= now
                    if status not in (("completed", attempt.conclusion) if done else ("in_progress",)):
                        continue
                chosen.append(run)
            return sorted(chosen, key=lambda r: r.id, reverse=True)

        items = self.cached(("runs", full_name, created, branch, event, head_sha, status, now), compute)
        filtered = any(request.param(k) for k in RUN_FILTERS)
        return self.paged(
            request,
            items,
            lambda r: render.workflow_run(history, r, now),
            cap=FILTERED_RUNS_MAX if filtered else None,
            wrap=lambda runs: {"total_count": len(items), "workflow_runs": runs},
        )

    def run(self, request: SimRequest, full_name: str, run_id: str) -> SimResponse:
        history = self.history(full_name)
        run = next((r for r in history.runs if r.id == int(run_id)), None) if history else None
        body = render.workflow_run(history, run, self.now) if run is not None else None
        if body is None:
            return github_error(404, "Not Found")
        return json_response(200, body)

    def releases(self, request: SimRequest, full_name: str) -> SimResponse:
        history = self.history(full_name)
        if history is None:
            return github_error(404, "Not Found")
        now = self.now
        tags = [t for t in history.tags if t.ms + 30_000 <= now]
        previous = {t: (tags[k - 1] if k else None) for k, t in enumerate(tags)}
        newest_first = sorted(tags, key=lambda t: t.release_id, reverse=True)
        return self.paged(request, newest_first, lambda t: render.release(history, t, previous[t]))


def _int(value: str | None, default: int) -> int:
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        return default
