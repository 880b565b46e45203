"""Hand-written Jira Cloud payloads (REST v3 wire format) for the model tests, landed via RawStore.

A tiny builder: declare issues and their change histories, then ``land`` them into a DuckDB file's
``raw`` schema exactly as the extractor would (``raw.jira_issues``, ``raw.jira_changelogs``,
``raw.jira_statuses``, ``raw.jira_issue_types``, ``raw.jira_tombstones``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import duckdb

from extractors.common.raw_store import RawRecord, RawStore

# Status ids of the shipped mapping (seeds/mappings/status_flow_mapping.csv)
OPEN, IN_PROGRESS, REOPENED, RESOLVED, CLOSED = "1", "3", "4", "5", "6"
TO_DO, DONE = "10000", "10001"
BACKLOG, ANALYSIS, READY_FOR_DEV, BLOCKED = "10100", "10101", "10102", "10103"
READY_FOR_REVIEW, IN_REVIEW, IN_TEST, READY_FOR_RELEASE = "10104", "10105", "10106", "10107"
RELEASING, VALIDATING, WONT_DO, ON_HOLD, IN_STAGING = "10108", "10109", "10110", "10111", "10112"

STATUS_NAMES = {
    OPEN: "Open",
    IN_PROGRESS: "In Progress",
    REOPENED: "Reopened",
    RESOLVED: "Resolved",
    CLOSED: "Closed",
    TO_DO: "To Do",
    DONE: "Done",
    BACKLOG: "Backlog",
    ANALYSIS: "Analysis",
    READY_FOR_DEV: "Ready for Dev",
    BLOCKED: "Blocked",
    READY_FOR_REVIEW: "Ready for Review",
    IN_REVIEW: "In Review",
    IN_TEST: "In Test",
    READY_FOR_RELEASE: "Ready for Release",
    RELEASING: "Releasing",
    VALIDATING: "Validating",
    WONT_DO: "Won't Do",
    ON_HOLD: "On Hold",
    IN_STAGING: "In Staging",
}
STATUS_CATEGORIES = {
    OPEN: "new",
    TO_DO: "new",
    BACKLOG: "new",
    RESOLVED: "done",
    CLOSED: "done",
    DONE: "done",
    WONT_DO: "done",
}

# issue type name → (id, subtask, hierarchyLevel)
ISSUE_TYPES = {
    "Story": ("10001", False, 0),
    "Bug": ("10002", False, 0),
    "Epic": ("10003", False, 1),
    "Sub-task": ("10004", True, -1),
    "Tech Debt": ("10005", False, 0),
    "Initiative": ("10006", False, 2),
    "Task": ("10007", False, 0),
}


def z(text: str) -> str:
    """'2026-07-01 10:00' (UTC) → Jira's '2026-07-01T10:00:00.000+0000'."""
    parsed = datetime.fromisoformat(text)
    return parsed.strftime("%Y-%m-%dT%H:%M:%S.") + f"{parsed.microsecond // 1000:03d}+0000"


def status(from_id: str, to_id: str, from_name: str | None = None, to_name: str | None = None) -> dict:
    """A `status` changelog item."""
    return {
        "field": "status",
        "fieldtype": "jira",
        "fieldId": "status",
        "from": from_id,
        "fromString": from_name or STATUS_NAMES.get(from_id, from_id),
        "to": to_id,
        "toString": to_name or STATUS_NAMES.get(to_id, to_id),
    }


def issuetype(from_name: str, to_name: str) -> dict:
    return {
        "field": "issuetype",
        "fieldtype": "jira",
        "fieldId": "issuetype",
        "from": ISSUE_TYPES[from_name][0],
        "fromString": from_name,
        "to": ISSUE_TYPES[to_name][0],
        "toString": to_name,
    }


def moved(
    from_key: str, to_key: str, from_project: tuple[str, str], to_project: tuple[str, str]
) -> list[dict]:
    """The items Jira writes when an issue moves to another project (project, then Key)."""
    return [
        {
            "field": "project",
            "fieldtype": "jira",
            "fieldId": "project",
            "from": from_project[0],
            "fromString": from_project[1],
            "to": to_project[0],
            "toString": to_project[1],
        },
        {
            "field": "Key",
            "fieldtype": "jira",
            "from": None,
            "fromString": from_key,
            "to": None,
            "toString": to_key,
        },
    ]


@dataclass
class JiraFixture:
    """Issues, histories, statuses, issue types and tombstones of one Jira source."""

    source: str = "demo-jira"
    issues: list[tuple[dict, datetime | None]] = field(default_factory=list)
    histories: list[tuple[RawRecord, datetime | None]] = field(default_factory=list)
    statuses: dict[str, dict] = field(default_factory=dict)
    issue_types: dict[str, dict] = field(default_factory=dict)
    tombstones: list[tuple[RawRecord, datetime | None]] = field(default_factory=list)
    types_by_name: dict[str, tuple[str, bool, int]] = field(default_factory=lambda: dict(ISSUE_TYPES))
    _next_history_id: int = 50000

    def __post_init__(self) -> None:
        for status_id, name in STATUS_NAMES.items():
            self.add_status(status_id, name)
        for name, (type_id, subtask, level) in ISSUE_TYPES.items():
            self.add_issue_type(name, type_id, subtask, level)

    def add_issue_type(self, name: str, type_id: str, subtask: bool = False, level: int = 0) -> None:
        self.types_by_name[name] = (type_id, subtask, level)
        self.issue_types[type_id] = {
            "self": f"https://example.atlassian.net/rest/api/3/issuetype/{type_id}",
            "id": type_id,
            "description": "",
            "name": name,
            "untranslatedName": name,
            "subtask": subtask,
            "hierarchyLevel": level,
        }

    def add_status(self, status_id: str, name: str, category: str | None = None) -> None:
        category = category or STATUS_CATEGORIES.get(status_id, "indeterminate")
        self.statuses[status_id] = {
            "self": f"https://example.atlassian.net/rest/api/3/status/{status_id}",
            "id": status_id,
            "name": name,
            "untranslatedName": name,
            "description": "",
            "statusCategory": {"id": 4, "key": category, "colorName": "yellow", "name": category},
        }

    def issue(
        self,
        issue_id: str,
        key: str,
        created: str,
        status_id: str,
        *,
        type_name: str = "Story",
        parent: tuple[str, str] | None = None,
        labels: tuple[str, ...] = (),
        summary: str | None = None,
        project: tuple[str, str] | None = None,
        status_name: str | None = None,
        fetched_at: datetime | None = None,
        updated: str | None = None,
    ) -> dict:
        """An element of search/jql `issues[]` (current state); created etc. in Jira's notation."""
        type_id, subtask, level = self.types_by_name[type_name]
        project_id, project_key = project or ("10000", key.split("-")[0])
        fields = {
            "summary": summary or f"Summary of {key}",
            "status": {
                "self": f"https://example.atlassian.net/rest/api/3/status/{status_id}",
                "id": status_id,
                "name": status_name or STATUS_NAMES.get(status_id, status_id),
                "statusCategory": {"id": 4, "key": STATUS_CATEGORIES.get(status_id, "indeterminate")},
            },
            "issuetype": {"id": type_id, "name": type_name, "subtask": subtask, "hierarchyLevel": level},
            "project": {"id": project_id, "key": project_key, "name": f"Project {project_key}"},
            "created": created,
            "updated": updated or created,
            "resolutiondate": None,
            "labels": list(labels),
            "assignee": None,
        }
        if parent:
            fields["parent"] = {"id": parent[0], "key": parent[1]}
        payload = {
            "expand": "",
            "id": issue_id,
            "self": f"https://example.atlassian.net/rest/api/3/issue/{issue_id}",
            "key": key,
            "fields": fields,
        }
        self.issues.append((payload, fetched_at))
        return payload

    def history(
        self,
        issue_id: str,
        at: str,
        *items: dict,
        history_id: str | None = None,
        account_type: str = "atlassian",
        display_name: str = "Dana Developer",
        fetched_at: datetime | None = None,
    ) -> dict:
        """An element of changelog/bulkfetch `changeHistories[]`."""
        if history_id is None:
            self._next_history_id += 1
            history_id = str(self._next_history_id)
        payload = {
            "id": history_id,
            "author": {
                "accountId": f"acc-{display_name.split()[0].lower()}",
                "displayName": display_name,
                "accountType": account_type,
                "active": True,
            },
            "created": at,
            "items": list(items),
        }
        self.histories.append((RawRecord(history_id, payload, parent_id=issue_id), fetched_at))
        return payload

    def tombstone(self, issue_id: str, key: str, detected_at: datetime) -> None:
        payload = {"id": issue_id, "key": key, "detected_at": detected_at.isoformat() + "Z"}
        self.tombstones.append((RawRecord(issue_id, payload), detected_at))

    def land(
        self, con: duckdb.DuckDBPyConnection, fetched_at: datetime = datetime(2026, 8, 31, 12, 0)
    ) -> None:
        """Land everything through RawStore, grouping records by their fetched_at."""
        store = RawStore(con)
        batch = store.start_batch(self.source, "jira")

        def stage(table: str, records: list[tuple[RawRecord, datetime | None]], request: str) -> None:
            by_time: dict[datetime, list[RawRecord]] = {}
            for record, when in records:
                by_time.setdefault(when or fetched_at, []).append(record)
            for when, group in sorted(by_time.items()):
                store.stage(table, self.source, group, request=request, batch_id=batch, fetched_at=when)

        stage(
            "jira_issues",
            [(RawRecord(p["id"], p), when) for p, when in self.issues],
            "POST /rest/api/3/search/jql",
        )
        stage("jira_changelogs", self.histories, "POST /rest/api/3/changelog/bulkfetch")
        stage(
            "jira_statuses",
            [(RawRecord(k, v), None) for k, v in self.statuses.items()],
            "GET /rest/api/3/status",
        )
        stage(
            "jira_issue_types",
            [(RawRecord(k, v), None) for k, v in self.issue_types.items()],
            "GET /rest/api/3/issuetype",
        )
        if self.tombstones:
            stage("jira_tombstones", self.tombstones, "tombstone")
        store.checkpoint()
        store.finish_batch(batch, "succeeded", 0, 0)


def land_all(path, *fixtures: JiraFixture) -> None:
    con = duckdb.connect(str(path))
    try:
        for fixture in fixtures:
            fixture.land(con)
    finally:
        con.close()


def query(path, sql: str, params: list | None = None) -> list[dict]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        cursor = con.execute(sql, params or [])
        columns = [d[0] for d in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()
