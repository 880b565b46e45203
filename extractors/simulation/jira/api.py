"""The simulated Jira Cloud REST API v3: authentication, routing, search, changelogs and the
site configuration endpoints, with Jira's own paging rules and error bodies.

Everything is answered as of the organisation's clock. Search sees issues created by then and not
deleted, minus those updated within the index lag (Jira's search index is eventually consistent;
bulkfetch reads the database and sees them).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import operator
import random
import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from extractors.simulation.jira import catalog as c
from extractors.simulation.jira.drafts import OUT_OF_ORDER
from extractors.simulation.jira.jql import Jql, JqlError, parse_jql
from extractors.simulation.jira.render import JiraRenderer
from extractors.simulation.jira.site import JiraSite
from extractors.simulation.timeutil import SECOND_MS, parse_jql_date
from extractors.simulation.wire import (
    BadRequest,
    SimRequest,
    SimResponse,
    decode_token,
    encode_token,
    json_response,
)

UNBOUNDED = "Unbounded JQL queries are not allowed here. Please add a search restriction to your query."
NOT_AUTHENTICATED = "Client must be authenticated to access this resource."
ISSUE_NOT_FOUND = "Issue does not exist or you do not have permission to see it."
SEARCH_GONE = (
    "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. A full "
    "migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046"
)
BAD_DATE = (
    "Date value '{value}' for field '{field}' is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', "
    "'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd' (relative periods are not supported by the simulated "
    "Jira)."
)

SEARCH_DEFAULT, SEARCH_CAP, SEARCH_ID_ONLY_CAP = 50, 100, 5000
BULK_IDS_CAP, BULK_DEFAULT, BULK_CAP = 1000, 1000, 10000
CHANGELOG_CAP = 100
COMPARE = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt}
ALL_FIELDS = frozenset(c.FIELD_IDS)
Credentials = tuple[str, str] | str | None


def jira_error(status: int, message: str, headers: tuple[tuple[str, str], ...] = ()) -> SimResponse:
    return json_response(status, {"errorMessages": [message], "errors": {}}, headers)


def field_selection(values: list[str] | None) -> frozenset[str]:
    """The fields a search asked for: a comma list, ``*all``/``*navigable``, ``-name`` to drop one.
    ``id`` and ``key`` are always there; unknown names are ignored (as Jira does)."""
    if values is None:
        return frozenset()
    names = [n.strip() for value in values for n in value.split(",") if n.strip()]
    chosen = set()
    for name in names:
        if name in ("*all", "*navigable"):
            chosen |= ALL_FIELDS
        elif name in ALL_FIELDS:
            chosen.add(name)
    chosen -= {n[1:] for n in names if n.startswith("-")}
    return frozenset(chosen)


def int_param(value: Any, name: str, default: int, minimum: int, cap: int) -> int:
    """An integer parameter: ``default`` when absent, 400 below ``minimum``, silently capped at ``cap``."""
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except (TypeError, ValueError) as exc:
        raise BadRequest(f"'{name}' must be an integer.") from exc
    if number < minimum:
        raise BadRequest(f"'{name}' must be at least {minimum}.")
    return min(number, cap)


@dataclass(frozen=True)
class Snapshot:
    """Per-issue vectors for search as of one instant."""

    exists: np.ndarray
    updated: np.ndarray
    project: np.ndarray
    number: np.ndarray


class JiraApi:
    """One simulated Jira site behind ``/rest/api/3``."""

    def __init__(
        self,
        site: JiraSite,
        clock_ms: Callable[[], int],
        credentials: Credentials,
        index_lag_seconds: float = 0.0,
    ):
        self.site, self.model = site, site.model
        self.render = JiraRenderer(site)
        self.clock_ms = clock_ms
        self.credentials = credentials
        self.lag_ms = int(index_lag_seconds * SECOND_MS)
        self._lock = threading.Lock()
        self._cache: OrderedDict[tuple, Any] = OrderedDict()
        self._project_rank = np.argsort(np.argsort([p.key for p in self.model.projects]))
        self.routes: list[tuple[frozenset[str], re.Pattern, Callable[..., SimResponse]]] = [
            (frozenset({"GET"}), re.compile(r"/rest/api/3/myself"), self.myself),
            (frozenset({"GET", "POST"}), re.compile(r"/rest/api/3/search/jql"), self.search),
            (frozenset({"GET", "POST"}), re.compile(r"/rest/api/3/search"), self.search_gone),
            (frozenset({"POST"}), re.compile(r"/rest/api/3/changelog/bulkfetch"), self.bulkfetch),
            (frozenset({"GET"}), re.compile(r"/rest/api/3/issue/([^/]+)/changelog"), self.changelog),
            (frozenset({"GET"}), re.compile(r"/rest/api/3/status"), self.statuses),
            (frozenset({"GET"}), re.compile(r"/rest/api/3/issuetype"), self.issue_types),
            (frozenset({"GET"}), re.compile(r"/rest/api/3/field"), self.fields),
        ]

    # plumbing

    def handle(self, request: SimRequest) -> SimResponse:
        if not self.authorised(request.headers.get("authorization", "")):
            return jira_error(401, NOT_AUTHENTICATED, (("www-authenticate", 'Basic realm="protected-area"'),))
        for methods, pattern, handler in self.routes:
            match = pattern.fullmatch(request.path.rstrip("/"))
            if match is None:
                continue
            if request.method not in methods:
                return jira_error(405, f"Method {request.method} is not allowed for {request.path}.")
            try:
                return handler(request, *match.groups())
            except (BadRequest, JqlError) as exc:
                return jira_error(400, str(exc))
        return jira_error(404, f"No resource at {request.path}.")

    def rate_limited(self, retry_after_seconds: float) -> SimResponse:
        seconds = int(retry_after_seconds) if float(retry_after_seconds).is_integer() else retry_after_seconds
        return jira_error(429, "Rate limit exceeded.", (("retry-after", str(seconds)),))

    def unavailable(self) -> SimResponse:
        return jira_error(503, "Service unavailable. Please try again later.")

    def authorised(self, header: str) -> bool:
        if self.credentials is None:
            return True
        scheme, _, value = header.partition(" ")
        if isinstance(self.credentials, str):
            return scheme.lower() == "bearer" and hmac.compare_digest(value.strip(), self.credentials)
        if scheme.lower() != "basic":
            return False
        try:
            given = base64.b64decode(value.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return False
        return hmac.compare_digest(given, ":".join(self.credentials))

    def cached(self, key: tuple, compute: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        value = compute()
        with self._lock:
            self._cache[key] = value
            while len(self._cache) > 32:
                self._cache.popitem(last=False)
        return value

    # configuration endpoints

    def myself(self, request: SimRequest) -> SimResponse:
        email = self.credentials[0] if isinstance(self.credentials, tuple) else "demo@example.com"
        account = "712020:00000000-0000-4000-8000-5ea1d0c0ffee"
        return json_response(
            200,
            {
                "self": f"{self.render.api}/user?accountId={account}",
                "accountId": account,
                "accountType": "atlassian",
                "emailAddress": email,
                "displayName": "Streamgauge Demo",
                "active": True,
                "timeZone": self.site.config.user_timezone,
                "locale": "en_US",
                "groups": {"size": 1, "items": []},
                "applicationRoles": {"size": 1, "items": []},
                "expand": "groups,applicationRoles",
            },
        )

    def statuses(self, request: SimRequest) -> SimResponse:
        return json_response(200, self.render.statuses(self.clock_ms()))

    def issue_types(self, request: SimRequest) -> SimResponse:
        return json_response(200, self.render.issue_types())

    def fields(self, request: SimRequest) -> SimResponse:
        return json_response(200, self.render.fields())

    def search_gone(self, request: SimRequest) -> SimResponse:
        return jira_error(410, SEARCH_GONE)

    # search

    def search_params(self, request: SimRequest) -> dict[str, Any]:
        if request.method == "GET":
            return {
                "jql": request.param("jql"),
                "nextPageToken": request.param("nextPageToken"),
                "maxResults": request.param("maxResults"),
                "fields": request.query.get("fields"),
            }
        body = request.json()
        if not isinstance(body, dict):
            raise BadRequest("The request body must be a JSON object.")
        fields = body.get("fields")
        if isinstance(fields, str):
            fields = [fields]
        if fields is not None and not (isinstance(fields, list) and all(isinstance(f, str) for f in fields)):
            raise BadRequest("'fields' must be a list of field names.")
        return {**body, "fields": fields}

    def search(self, request: SimRequest) -> SimResponse:
        params = self.search_params(request)
        jql = params.get("jql") or ""
        if not isinstance(jql, str):
            raise BadRequest("'jql' must be a string.")
        query = parse_jql(jql)
        if not query.conditions:
            raise BadRequest(UNBOUNDED)
        selection = field_selection(params.get("fields"))
        limit = int_param(
            params.get("maxResults"),
            "maxResults",
            SEARCH_DEFAULT,
            1,
            SEARCH_CAP if selection else SEARCH_ID_ONLY_CAP,
        )
        token = params.get("nextPageToken")
        offset = decode_token(str(token), jql) if token else 0
        now = self.clock_ms()
        matches = self.cached(("search", query, now, self.site.version), lambda: self.matches(query, now))
        page = matches[offset : offset + limit].tolist()
        body: dict[str, Any] = {"issues": [self.render.issue(i, now, selection) for i in page]}
        if offset + limit < len(matches):
            body["nextPageToken"] = encode_token(jql, offset + limit)
            body["isLast"] = False
        else:
            body["isLast"] = True
        return json_response(200, body)

    def snapshot(self, now: int) -> Snapshot:
        def compute() -> Snapshot:
            m = self.model
            deleted = np.full(m.size, np.iinfo(np.int64).max, dtype=np.int64)
            for i, at in self.site.deleted_ms.items():
                deleted[i] = at
            return Snapshot(
                (m.created_ms <= now) & (deleted > now),
                m.updated_vector(now),
                m.project_vector(now),
                m.number_vector(now),
            )

        return self.cached(("snapshot", now, self.site.version), compute)

    def project_index(self, value: str) -> int:
        for n, p in enumerate(self.model.projects):
            if value.upper() == p.key or value.lower() == p.name.lower() or value == str(p.id):
                return n
        raise JqlError(f"The value '{value}' does not exist for the field 'project'.")

    def instant(self, value: str, field: str) -> int:
        ms = parse_jql_date(value, self.site.config.zone)
        if ms is None:
            raise JqlError(BAD_DATE.format(value=value, field=field))
        return ms

    def matches(self, query: Jql, now: int) -> np.ndarray:
        """Indices of the issues a query finds, in its order (ties broken by id)."""
        snap = self.snapshot(now)
        mask = snap.exists.copy()
        if self.lag_ms:
            mask &= snap.updated <= now - self.lag_ms
        for cond in query.conditions:
            if cond.field == "project":
                mask &= np.isin(snap.project, [self.project_index(v) for v in cond.values])
            else:
                values = snap.updated if cond.field == "updated" else self.model.created_ms
                mask &= COMPARE[cond.operator](values, self.instant(cond.values[0], cond.field))
        found = np.nonzero(mask)[0]
        columns = {
            "updated": snap.updated[found],
            "created": self.model.created_ms[found],
            "id": self.model.issue_id[found],
        }
        keys: list[np.ndarray] = []
        for field, descending in (*query.order, ("id", False)):
            parts = (
                [self._project_rank[snap.project[found]], snap.number[found]]
                if field == "key"
                else [columns[field]]
            )
            keys += [-p if descending else p for p in parts]
        return found[np.lexsort(keys[::-1])]

    # changelogs

    def history_rows(self, i: int, now: int, keep: frozenset[str] | None) -> list[int]:
        """Event rows of issue ``i`` up to now, in the order bulkfetch serves them, keeping only
        histories with an item whose ``fieldId`` is in ``keep`` (when given)."""
        rows = list(self.model.rows(i, now))
        if OUT_OF_ORDER in self.model.flags.get(i, ()):
            random.Random(f"{self.site.config.seed}:{int(self.model.issue_id[i])}").shuffle(rows)
        if keep is not None:
            rows = [r for r in rows if keep.intersection(self.render.item_field_ids(i, r))]
        return rows

    def bulkfetch(self, request: SimRequest) -> SimResponse:
        body = request.json()
        if not isinstance(body, dict):
            raise BadRequest("The request body must be a JSON object.")
        wanted = body.get("issueIdsOrKeys")
        if not isinstance(wanted, list) or not 1 <= len(wanted) <= BULK_IDS_CAP:
            raise BadRequest(f"'issueIdsOrKeys' must list between 1 and {BULK_IDS_CAP} issue ids or keys.")
        field_ids = body.get("fieldIds")
        if field_ids is not None and not (
            isinstance(field_ids, list) and all(isinstance(f, str) for f in field_ids)
        ):
            raise BadRequest("'fieldIds' must be a list of field ids.")
        keep = frozenset(field_ids) if field_ids else None
        limit = int_param(body.get("maxResults"), "maxResults", BULK_DEFAULT, 1, BULK_CAP)
        token = body.get("nextPageToken")
        binding = {"issueIdsOrKeys": [str(w) for w in wanted], "fieldIds": field_ids}
        offset = decode_token(str(token), binding) if token else 0
        now = self.clock_ms()
        issues = dict.fromkeys(i for w in wanted if (i := self.site.lookup(str(w), now)) is not None)
        sequences = [(i, self.history_rows(i, now, keep)) for i in issues]
        end, position, logs = offset + limit, 0, []
        for i, rows in sequences:
            low, high = max(offset - position, 0), min(end - position, len(rows))
            if low < high:
                logs.append(
                    {
                        "issueId": str(int(self.model.issue_id[i])),
                        "changeHistories": [self.render.history(i, r, keep) for r in rows[low:high]],
                    }
                )
            position += len(rows)
            if position >= end:
                break
        out: dict[str, Any] = {"issueChangeLogs": logs}
        if end < sum(len(rows) for _, rows in sequences):
            out["nextPageToken"] = encode_token(binding, end)
        return json_response(200, out)

    def changelog(self, request: SimRequest, id_or_key: str) -> SimResponse:
        now = self.clock_ms()
        i = self.site.lookup(id_or_key, now)
        if i is None:
            return jira_error(404, ISSUE_NOT_FOUND)
        start = int_param(request.param("startAt"), "startAt", 0, 0, 2**31)
        limit = int_param(request.param("maxResults"), "maxResults", CHANGELOG_CAP, 1, CHANGELOG_CAP)
        rows = list(self.model.rows(i, now))
        return json_response(
            200,
            {
                "self": f"{self.render.api}/issue/{id_or_key}/changelog?maxResults={limit}&startAt={start}",
                "maxResults": limit,
                "startAt": start,
                "total": len(rows),
                "isLast": start + limit >= len(rows),
                "values": [self.render.history(i, r) for r in rows[start : start + limit]],
            },
        )
