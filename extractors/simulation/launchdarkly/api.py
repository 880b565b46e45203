"""The simulated LaunchDarkly REST API v2 of the organisation's project ``acme``.

``Authorization: <api access token>`` (the raw token, no scheme). Endpoints, as of the organisation's
clock:

* ``GET /api/v2/flags/{projectKey}`` — ``limit`` (default 20, at most 100), ``offset``, ``summary``
  (default true: environments without targets, rules and prerequisites; ``summary=0`` for all),
  ``env`` (repeatable: only these environments). Flags in creation order; ``{"items", "_links":
  {"self", "first", "prev", "next", "last"}, "totalCount"}`` with relative hrefs.
* ``GET /api/v2/flags/{projectKey}/{flagKey}`` — one flag (always full environments).
* ``GET /api/v2/auditlog`` — ``limit`` (1–20, default 10), ``before`` / ``after`` (epoch ms, both
  exclusive), ``spec`` (a resource specifier; ``*`` matches anything), ``q`` (text in the name,
  title or description). Newest first; ``_links.next`` asks for the entries ``before`` the page's
  last one (so entries never share a millisecond).
* ``GET /api/v2/auditlog/{id}`` — one entry with ``delta``, ``previousVersion`` and
  ``currentVersion`` (the flag before and after the change).

Rate limiting answers 429 with ``Retry-After`` (seconds) and ``X-Ratelimit-Reset`` (epoch ms).
"""

from __future__ import annotations

import fnmatch
import hmac
import re
import time
from collections.abc import Callable
from urllib.parse import urlencode

from extractors.simulation.launchdarkly import render
from extractors.simulation.outcomes.model import ENVIRONMENTS, PROJECT_KEY
from extractors.simulation.wire import BadRequest, SimRequest, SimResponse, json_response

FLAGS_LIMIT_DEFAULT, FLAGS_LIMIT_MAX = 20, 100
AUDIT_LIMIT_DEFAULT, AUDIT_LIMIT_MAX = 10, 20


def ld_error(status: int, code: str, message: str, headers: tuple[tuple[str, str], ...] = ()) -> SimResponse:
    return json_response(status, {"code": code, "message": message}, headers)


def _int(request: SimRequest, name: str, default: int | None) -> int | None:
    value = request.param(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise BadRequest(f"{name} must be an integer") from exc


class LaunchDarklyApi:
    """The LaunchDarkly account of one organisation."""

    def __init__(self, org, token: str | None, wall_clock: Callable[[], float] = time.time):
        self.org = org
        self.token = token
        self.wall_clock = wall_clock
        self.routes = [
            (re.compile(r"/api/v2/flags/([A-Za-z0-9._-]+)"), self.flags),
            (re.compile(r"/api/v2/flags/([A-Za-z0-9._-]+)/([A-Za-z0-9._-]+)"), self.flag),
            (re.compile(r"/api/v2/auditlog"), self.audit_log),
            (re.compile(r"/api/v2/auditlog/([0-9a-f]+)"), self.audit_entry),
        ]

    @property
    def now(self) -> int:
        return self.org.clock_ms

    @property
    def model(self):
        return self.org.outcomes

    def handle(self, request: SimRequest) -> SimResponse:
        if not self.authorised(request.headers.get("authorization", "")):
            return ld_error(401, "unauthorized", "Invalid access token")
        if request.method != "GET":
            return ld_error(405, "method_not_allowed", "Method not allowed")
        path = request.path.rstrip("/")
        for pattern, handler in self.routes:
            match = pattern.fullmatch(path)
            if match is not None:
                try:
                    return handler(request, *match.groups())
                except BadRequest as exc:
                    return ld_error(400, "invalid_request", str(exc))
        return ld_error(404, "not_found", "Not found")

    def authorised(self, header: str) -> bool:
        if self.token is None:
            return True
        return hmac.compare_digest(header.strip(), self.token)

    def rate_limited(self, retry_after_seconds: float) -> SimResponse:
        wait = max(int(retry_after_seconds), 1)
        reset_ms = int((self.wall_clock() + wait) * 1000)
        return ld_error(
            429,
            "rate_limited",
            "You've exceeded the API rate limit. Try again later.",
            (
                ("retry-after", str(wait)),
                ("x-ratelimit-reset", str(reset_ms)),
                ("x-ratelimit-route-remaining", "0"),
            ),
        )

    def unavailable(self) -> SimResponse:
        return ld_error(503, "service_unavailable", "Service temporarily unavailable")

    # -- flags --------------------------------------------------------------------------------------
    @staticmethod
    def _summary(request: SimRequest, default: bool) -> bool:
        value = request.param("summary")
        if value is None or value == "":
            return default
        return value.lower() not in ("0", "false")

    @staticmethod
    def _environments(request: SimRequest) -> tuple[str, ...]:
        wanted = [e for value in request.query.get("env", []) for e in value.split(",") if e]
        unknown = [e for e in wanted if e not in ENVIRONMENTS]
        if unknown:
            raise BadRequest(f"Unknown environment key(s): {', '.join(unknown)}")
        return tuple(wanted) or ENVIRONMENTS

    def flags(self, request: SimRequest, project: str) -> SimResponse:
        if project != PROJECT_KEY:
            return ld_error(404, "not_found", "Unknown project key")
        limit = _int(request, "limit", FLAGS_LIMIT_DEFAULT)
        offset = _int(request, "offset", 0)
        if not 1 <= limit <= FLAGS_LIMIT_MAX:
            raise BadRequest(f"limit must be between 1 and {FLAGS_LIMIT_MAX}")
        if offset < 0:
            raise BadRequest("offset must not be negative")
        summary = self._summary(request, True)
        envs = self._environments(request)
        flags = self.model.flags_at(self.now)
        items = [
            render.flag_payload(f, self.now, self.org.people, summary=summary, environments=envs)
            for f in flags[offset : offset + limit]
        ]
        base = {k: v for k, v in request.query.items() if k not in ("limit", "offset")}

        def href(at: int) -> dict[str, str]:
            query = urlencode(
                {**{k: v for k, v in base.items()}, "limit": [limit], "offset": [at]}, doseq=True
            )
            return render.link(f"/api/v2/flags/{project}?{query}")

        links = {"self": href(offset), "first": href(0)}
        total = len(flags)
        if offset > 0:
            links["prev"] = href(max(offset - limit, 0))
        if offset + limit < total:
            links["next"] = href(offset + limit)
        links["last"] = href(max((total - 1) // limit * limit, 0))
        return json_response(200, {"items": items, "_links": links, "totalCount": total})

    def flag(self, request: SimRequest, project: str, key: str) -> SimResponse:
        flag = self.model.flag(key)
        if project != PROJECT_KEY or flag is None or not flag.visible(self.now):
            return ld_error(404, "not_found", "Unknown flag")
        envs = self._environments(request)
        return json_response(200, render.flag_payload(flag, self.now, self.org.people, environments=envs))

    # -- audit log ----------------------------------------------------------------------------------
    def audit_log(self, request: SimRequest) -> SimResponse:
        limit = _int(request, "limit", AUDIT_LIMIT_DEFAULT)
        if not 1 <= limit <= AUDIT_LIMIT_MAX:
            raise BadRequest(f"limit must be between 1 and {AUDIT_LIMIT_MAX}")
        before = _int(request, "before", None)
        after = _int(request, "after", None)
        spec = request.param("spec")
        text = (request.param("q") or "").lower()
        people = self.org.people
        chosen = []
        for flag, change in reversed(self.model.entries_until(self.now)):
            if before is not None and change.at_ms >= before:
                continue
            if after is not None and change.at_ms <= after:
                break
            if spec and not fnmatch.fnmatchcase(render.resource(flag, change), spec):
                continue
            if text and text not in f"{flag.name}\n{render.describe(flag, change)}\n{flag.key}".lower():
                continue
            chosen.append((flag, change))
            if len(chosen) > limit:
                break
        page, more = chosen[:limit], len(chosen) > limit
        items = [render.audit_entry(flag, change, people, detail=False) for flag, change in page]
        query = urlencode(request.query, doseq=True)
        links = {"self": render.link("/api/v2/auditlog" + (f"?{query}" if query else ""))}
        kept = {k: v for k, v in request.query.items() if k not in ("before", "limit")}
        if more:
            following = urlencode({**kept, "limit": [limit], "before": [page[-1][1].at_ms]}, doseq=True)
            links["next"] = render.link(f"/api/v2/auditlog?{following}")
        return json_response(200, {"items": items, "_links": links})

    def audit_entry(self, request: SimRequest, entry_id: str) -> SimResponse:
        found = self.model.entry(entry_id)
        if found is None or found[1].at_ms > self.now:
            return ld_error(404, "not_found", "Unknown audit log entry")
        flag, change = found
        return json_response(200, render.audit_entry(flag, change, self.org.people, detail=True))
