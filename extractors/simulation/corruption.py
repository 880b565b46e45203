"""Bad data a simulated source serves, to prove the data-quality gates: one :class:`CorruptionPlan` names
one kind of corruption, applied to the API responses (and, for malformed JSON, a Jira export file).

Each corrupts records an incremental run fetches again: the newest issue of a Jira search page (the
search always re-reads the issue at its cursor), the newest deployment of a repository (listed first,
and within the deployment cursor's overlap).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

from extractors.simulation.wire import SimResponse

CORRUPTIONS = {
    "malformed_json": "a Jira export line that is not valid JSON",
    "missing_field": "an issue without its required fields.created",
    "unknown_status": "an issue in a status the status mapping does not know",
    "changelog_before_creation": "a change history years before its issue was created",
    "clock_skew": "a deployment that finished three hours before it started (beyond max_clock_skew_minutes)",
    "duplicate_events": "the same change history twice in one changelog page",
    "empty_page": "a Jira search that returns an empty page",
    "schema_change": "issues with a new top-level field",
    "unknown_environment": "a deployment to an environment no tier pattern names",
}
UNKNOWN_STATUS = {"id": "99999", "name": "Limbo", "statusCategory": {"id": 2, "key": "new", "name": "To Do"}}
UNKNOWN_ENVIRONMENT = "moon-base"
NEW_FIELD = "schemaVersion"
EXPORT_NAME = "corrupt-export"


def _search_page(path: str, page: Any) -> bool:
    """A page of the incremental search (issues with fields), not an id-only listing."""
    return (
        path.endswith("/search/jql")
        and isinstance(page, dict)
        and any(len(issue.get("fields") or {}) > 1 for issue in page.get("issues") or [])
    )


def _newest_deployments(path: str, page: Any) -> bool:
    return path.endswith("/deployments") and isinstance(page, list) and bool(page)


def _minus_hours(stamp: str, hours: int) -> str:
    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00")) - timedelta(hours=hours)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class CorruptionPlan:
    kind: str

    def __post_init__(self) -> None:
        if self.kind not in CORRUPTIONS:
            raise ValueError(f"unknown corruption {self.kind!r}; one of {', '.join(CORRUPTIONS)}")

    def respond(self, source: str, path: str, response: SimResponse) -> SimResponse:
        """The response as the corrupted source serves it."""
        if response.status != 200 or not response.body:
            return response
        page = orjson.loads(response.body)
        changed = self.rewrite(source, path, copy.deepcopy(page))
        if changed == page:
            return response
        return SimResponse(response.status, orjson.dumps(changed), response.headers)

    def rewrite(self, source: str, path: str, page: Any) -> Any:
        kind = self.kind
        if source == "jira" and _search_page(path, page):
            issues = page["issues"]
            if kind == "empty_page":
                return {
                    **{k: v for k, v in page.items() if k != "nextPageToken"},
                    "issues": [],
                    "isLast": True,
                }
            if kind == "missing_field":
                issues[-1]["fields"].pop("created", None)
            elif kind == "unknown_status":
                issues[-1]["fields"]["status"] = UNKNOWN_STATUS
            elif kind == "schema_change":
                for issue in issues:
                    issue[NEW_FIELD] = 2
        elif source == "jira" and path.endswith("/changelog/bulkfetch") and page.get("issueChangeLogs"):
            histories = page["issueChangeLogs"][-1]["changeHistories"]
            if histories and kind == "changelog_before_creation":
                histories[-1]["created"] = "2019-01-01T09:00:00.000+0000"
            elif histories and kind == "duplicate_events":
                histories.append(copy.deepcopy(histories[-1]))
        elif source == "github" and _newest_deployments(path, page):
            newest = page[0]
            if kind == "clock_skew":
                newest["updated_at"] = _minus_hours(newest["created_at"], 3)
            elif kind == "unknown_environment":
                newest["environment"] = newest["original_environment"] = UNKNOWN_ENVIRONMENT
        return page

    def write_export(self, folder: Path) -> Path | None:
        """For ``malformed_json``: a Jira export folder whose JSON-lines file has a line cut short."""
        if self.kind != "malformed_json":
            return None
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "issues.jsonl").write_text(
            '{"id": "19999", "key": "PAY-9999", "fields": {"summary": "cut sh\n'
        )
        return folder
