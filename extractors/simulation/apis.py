"""The organisation's APIs behind one router: each source is mounted under its first path segment
(``/jira/rest/api/3/...``, ``/github/repos/...``, ``/pagerduty/incidents``,
``/launchdarkly/api/v2/...``), with its own credentials, request counter and fault plan.

Serve them in-process beneath the real ``httpx.Client`` (:meth:`SimulatedApis.transport`) or on a
loopback port (:meth:`SimulatedApis.serve`); both answer the same bytes.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import NamedTuple, Protocol
from urllib.parse import parse_qs

import httpx

from extractors.simulation.corruption import CorruptionPlan
from extractors.simulation.faults import FaultPlan, SimulatedInterruption
from extractors.simulation.github.api import GitHubApi
from extractors.simulation.jira.api import Credentials, JiraApi
from extractors.simulation.launchdarkly.api import LaunchDarklyApi
from extractors.simulation.loopback import LoopbackServer
from extractors.simulation.organisation import SimulatedOrganisation
from extractors.simulation.pagerduty.api import PagerDutyApi
from extractors.simulation.wire import SimRequest, SimResponse, json_response

TRANSPORT_BASE = "http://sim.streamgauge.test"
DEFAULT_CREDENTIALS: dict[str, Credentials] = {
    "jira": ("demo@example.com", "demo-token"),
    "github": "demo-github-token",  # Authorization: Bearer <token> (or: token <token>)
    "pagerduty": "demo-pagerduty-token",  # Authorization: Token token=<token>
    "launchdarkly": "demo-launchdarkly-token",  # Authorization: <token> (the raw access token)
}


class RequestRecord(NamedTuple):
    source: str
    method: str
    path: str  # below the source's mount
    query: dict[str, str]
    status: int


class SourceApi(Protocol):
    def handle(self, request: SimRequest) -> SimResponse: ...
    def rate_limited(self, retry_after_seconds: float) -> SimResponse: ...
    def unavailable(self) -> SimResponse: ...


class SimulatedApis:
    """Every API of one organisation, with credentials and fault plans per source."""

    def __init__(
        self,
        org: SimulatedOrganisation,
        credentials: Mapping[str, Credentials] | None = None,
        faults: Mapping[str, FaultPlan] | None = None,
        wall_clock: Callable[[], float] = time.time,
        corruption: CorruptionPlan | None = None,
    ):
        """``wall_clock`` (epoch seconds) times GitHub's rate-limit window and its ``x-ratelimit-reset``;
        give it the client's clock when a test fakes time. ``corruption`` rewrites what the APIs answer."""
        self.org = org
        self.corruption = corruption
        self.credentials = dict(DEFAULT_CREDENTIALS if credentials is None else credentials)
        self.faults = dict(faults or {})
        self.request_log: list[RequestRecord] = []
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self.sources: dict[str, SourceApi] = {
            "jira": JiraApi(
                org.jira,
                lambda: org.clock_ms,
                self.credentials.get("jira"),
                self.faults.get("jira", FaultPlan()).index_lag_seconds,
            ),
            "github": GitHubApi(
                org, _token(self.credentials.get("github")), self.faults.get("github"), wall_clock
            ),
            "pagerduty": PagerDutyApi(org, _token(self.credentials.get("pagerduty"))),
            "launchdarkly": LaunchDarklyApi(org, _token(self.credentials.get("launchdarkly")), wall_clock),
        }

    def base_url(self, source: str) -> str:
        """Where a client using :meth:`transport` finds ``source``."""
        return f"{TRANSPORT_BASE}/{source}"

    def handle(
        self, method: str, path: str, query: dict[str, list[str]], headers: dict[str, str], body: bytes
    ) -> SimResponse:
        """Route one request (``path`` includes the mount), applying the source's fault plan."""
        source, _, rest = path.lstrip("/").partition("/")
        api = self.sources.get(source)
        if api is None:
            return json_response(404, {"message": f"No simulated source is mounted at /{source}."})
        plan = self.faults.get(source, FaultPlan())
        with self._lock:
            self._counts[source] += 1
            number = self._counts[source]
        if plan.interrupt_after is not None and number == plan.interrupt_after + 1:
            raise SimulatedInterruption(f"{source}: simulated interruption at request {number}")
        if number in plan.server_errors_at:
            response = api.unavailable()
        elif number in plan.primary_limit_at:
            limited = getattr(api, "primary_limited", None)
            if limited is not None:
                response = limited(plan.rate_limit_reset_seconds)
            else:
                response = api.rate_limited(plan.retry_after_seconds)
        elif number in plan.secondary_limit_at:
            limited = getattr(api, "secondary_limited", None)
            response = (
                limited(plan.retry_after_seconds, plan.secondary_limit_status)
                if limited
                else api.rate_limited(plan.retry_after_seconds)
            )
        elif plan.rate_limit_every and number % plan.rate_limit_every == 0:
            response = api.rate_limited(plan.retry_after_seconds)
        else:
            response = api.handle(SimRequest(method.upper(), "/" + rest, query, headers, body))
            if self.corruption is not None:
                response = self.corruption.respond(source, "/" + rest, response)
        flat_query = {k: ",".join(v) for k, v in query.items()}
        with self._lock:
            self.request_log.append(
                RequestRecord(source, method.upper(), "/" + rest, flat_query, response.status)
            )
        return response

    def transport(self) -> httpx.BaseTransport:
        """An in-process transport for ``httpx.Client(base_url=apis.base_url(source), transport=...)``."""

        def answer(request: httpx.Request) -> httpx.Response:
            query = parse_qs(request.url.query.decode(), keep_blank_values=True)
            headers = {k.lower(): v for k, v in request.headers.items()}
            response = self.handle(request.method, request.url.path, query, headers, request.read())
            return httpx.Response(response.status, headers=list(response.headers), content=response.body)

        return httpx.MockTransport(answer)

    @contextmanager
    def serve(self) -> Iterator[LoopbackServer]:
        """A real HTTP server on ``127.0.0.1:<free port>`` for the duration of the block."""
        server = LoopbackServer(self)
        server.start()
        try:
            yield server
        finally:
            server.stop()


def _token(credentials: Credentials) -> str | None:
    """GitHub, PagerDuty and LaunchDarkly take a single token (``None``: any request is let in)."""
    if credentials is None or isinstance(credentials, str):
        return credentials
    return credentials[1]
