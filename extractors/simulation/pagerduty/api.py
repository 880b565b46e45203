"""The simulated PagerDuty REST API v2: incidents of the two services and their log entries.

``Authorization: Token token=<token>``. Lists page with ``limit`` (default 25, at most 100) and
``offset``, answering ``{..., "limit", "offset", "more", "total"}`` (``total`` is null unless
``total=true``); offset paging stops at 10,000. ``GET /incidents`` filters by creation time:
``since``/``until`` (default: the last month before the clock; at most six months apart) or
``date_range=all``, and by ``statuses[]``, ``service_ids[]``, ``urgencies[]``; ``sort_by`` one of
``created_at``, ``incident_number``, ``resolved_at``, ``urgency`` with ``:asc``/``:desc`` (default
``created_at`` ascending). Log entries come newest first. Timestamps follow ``time_zone``
(default UTC). Everything is answered as of the organisation's clock.
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from extractors.simulation.delivery.catalog import REPOSITORIES
from extractors.simulation.delivery.identities import Account
from extractors.simulation.delivery.model import Incident
from extractors.simulation.pagerduty import render
from extractors.simulation.timeutil import to_ms
from extractors.simulation.wire import BadRequest, SimRequest, SimResponse, json_response

LIMIT_DEFAULT, LIMIT_MAX, OFFSET_MAX = 25, 100, 10_000
MAX_RANGE_MONTHS = 6
STATUSES = ("triggered", "acknowledged", "resolved")


def pd_error(
    status: int,
    message: str,
    code: int,
    errors: list[str] | None = None,
    headers: tuple[tuple[str, str], ...] = (),
) -> SimResponse:
    body: dict[str, Any] = {"message": message, "code": code}
    if errors:
        body["errors"] = errors
    return json_response(status, {"error": body}, headers)


def parse_time(value: str, name: str) -> int:
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise BadRequest(f"{name} is not a valid ISO 8601 date") from exc
    return to_ms(moment if moment.tzinfo else moment.replace(tzinfo=UTC))


def add_months(moment: datetime, months: int) -> datetime:
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    for day in (moment.day, 30, 29, 28):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


class PagerDutyApi:
    """The PagerDuty account of one organisation."""

    def __init__(self, org, token: str | None):
        self.org = org
        self.token = token
        self.routes: list[tuple[re.Pattern, Callable[..., SimResponse]]] = [
            (re.compile(r"/incidents"), self.incidents),
            (re.compile(r"/incidents/([A-Z0-9]+)"), self.incident),
            (re.compile(r"/incidents/([A-Z0-9]+)/log_entries"), self.log_entries),
            (re.compile(r"/services"), self.services),
        ]

    @property
    def now(self) -> int:
        return self.org.clock_ms

    @property
    def responders(self) -> dict[int, Account]:
        return self.org.delivery.developers

    def handle(self, request: SimRequest) -> SimResponse:
        if not self.authorised(request.headers.get("authorization", "")):
            return pd_error(401, "Unauthorized", 2006)
        if request.method != "GET":
            return pd_error(404, "Not Found", 2100)
        path = request.path.rstrip("/")
        for pattern, handler in self.routes:
            match = pattern.fullmatch(path)
            if match is not None:
                try:
                    return handler(request, *match.groups())
                except BadRequest as exc:
                    return pd_error(400, "Invalid Input Provided", 2001, [str(exc)])
        return pd_error(404, "Not Found", 2100)

    def authorised(self, header: str) -> bool:
        if self.token is None:
            return True
        match = re.fullmatch(r"\s*Token\s+token=(\S+)\s*", header)
        return match is not None and hmac.compare_digest(match.group(1), self.token)

    def rate_limited(self, retry_after_seconds: float) -> SimResponse:
        """PagerDuty answers 429 without ``Retry-After``; ``ratelimit-reset`` says when to come back."""
        reset = str(max(int(retry_after_seconds), 1))
        return pd_error(
            429,
            "Rate Limit Exceeded",
            2020,
            None,
            (("ratelimit-limit", "960"), ("ratelimit-remaining", "0"), ("ratelimit-reset", reset)),
        )

    def unavailable(self) -> SimResponse:
        return pd_error(503, "Service Unavailable", 2000)

    def zone(self, request: SimRequest) -> ZoneInfo | None:
        name = request.param("time_zone")
        if not name or name.upper() == "UTC":
            return None
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise BadRequest(f"time_zone {name!r} is not a valid time zone") from exc

    @staticmethod
    def page(request: SimRequest) -> tuple[int, int]:
        try:
            limit = int(request.param("limit") or LIMIT_DEFAULT)
            offset = int(request.param("offset") or 0)
        except ValueError as exc:
            raise BadRequest("limit and offset must be integers") from exc
        limit = min(max(limit, 1), LIMIT_MAX)
        if offset < 0:
            raise BadRequest("offset must not be negative")
        if offset + limit > OFFSET_MAX:
            raise BadRequest(f"Offset + limit must not exceed {OFFSET_MAX}; narrow the date range")
        return limit, offset

    def listing(
        self, request: SimRequest, key: str, items: list[Any], to_json: Callable[[Any], Any]
    ) -> SimResponse:
        limit, offset = self.page(request)
        chosen = items[offset : offset + limit]
        total = len(items) if (request.param("total") or "").lower() == "true" else None
        return json_response(
            200,
            {
                key: [to_json(x) for x in chosen],
                "limit": limit,
                "offset": offset,
                "more": offset + limit < len(items),
                "total": total,
            },
        )

    def visible(self) -> list[Incident]:
        return [i for i in self.org.delivery.incidents if i.created_ms <= self.now]

    def window(self, request: SimRequest) -> tuple[int | None, int | None]:
        if (request.param("date_range") or "") == "all":
            return None, None
        since, until = request.param("since"), request.param("until")
        until_ms = parse_time(until, "until") if until else self.now
        since_ms = parse_time(since, "since") if since else to_ms(add_months(_utc(until_ms), -1))
        if since_ms > until_ms:
            raise BadRequest("since must be before until")
        if to_ms(add_months(_utc(since_ms), MAX_RANGE_MONTHS)) < until_ms:
            raise BadRequest("Date range is over the 6 month limit")
        return since_ms, until_ms

    def incidents(self, request: SimRequest) -> SimResponse:
        zone = self.zone(request)
        since, until = self.window(request)
        statuses = request.query.get("statuses[]") or []
        if any(s not in STATUSES for s in statuses):
            raise BadRequest(f"statuses[] must be among {', '.join(STATUSES)}")
        services = request.query.get("service_ids[]") or []
        urgencies = request.query.get("urgencies[]") or []
        now = self.now
        chosen = [
            i
            for i in self.visible()
            if (since is None or since <= i.created_ms)
            and (until is None or i.created_ms < until)
            and (not statuses or render.status_at(i, now) in statuses)
            and (not services or REPOSITORIES[i.repo].pagerduty_id in services)
            and (not urgencies or i.urgency in urgencies)
        ]
        field, _, direction = (request.param("sort_by") or "created_at").partition(":")
        keys = {
            "created_at": lambda i: (i.created_ms, i.number),
            "incident_number": lambda i: (i.number,),
            "resolved_at": lambda i: (
                i.resolved_ms if i.resolved_ms and i.resolved_ms <= now else 0,
                i.number,
            ),
            "urgency": lambda i: (i.urgency == "high", i.number),
        }
        if field not in keys or direction not in ("", "asc", "desc"):
            raise BadRequest(f"sort_by {field!r} is not supported")
        chosen.sort(key=keys[field], reverse=direction == "desc")
        responders = self.responders
        return self.listing(request, "incidents", chosen, lambda i: render.incident(i, responders, now, zone))

    def find(self, incident_id: str) -> Incident | None:
        i = self.org.delivery.incident_by_id.get(incident_id)
        return i if i is not None and i.created_ms <= self.now else None

    def incident(self, request: SimRequest, incident_id: str) -> SimResponse:
        i = self.find(incident_id)
        if i is None:
            return pd_error(404, "Not Found", 2100)
        return json_response(
            200, {"incident": render.incident(i, self.responders, self.now, self.zone(request))}
        )

    def log_entries(self, request: SimRequest, incident_id: str) -> SimResponse:
        i = self.find(incident_id)
        if i is None:
            return pd_error(404, "Not Found", 2100)
        zone, now = self.zone(request), self.now
        overview = (request.param("is_overview") or "").lower() == "true"
        entries = [e for e in i.log if e.ms <= now and not (overview and e.kind == "notify")]
        entries.sort(key=lambda e: (e.ms, e.id), reverse=True)
        responders = self.responders
        return self.listing(
            request, "log_entries", entries, lambda e: render.log_entry(i, e, responders, zone)
        )

    def services(self, request: SimRequest) -> SimResponse:
        return self.listing(request, "services", list(REPOSITORIES), render.service)


def _utc(ms: int) -> datetime:
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(milliseconds=ms)
