"""Real Jira Cloud payloads (Apache DevLake's e2e test data: Chinese status and type names, +0800
offsets, statuses renamed over time, a workflow migration, sub-tasks, an epic) land through
RawStore and come out as flow items with status intervals.

Reads ../shared/realdata/devlake/jira/raw_tables (DevLake's CSV layout: the API object is in the
`data` column); skipped when that folder is absent. Nothing from it is copied into the project.
"""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime, timedelta

import duckdb
import pytest

from extractors.common.raw_store import RawRecord, RawStore
from tests.support.dbt import copy_mappings, run_dbt
from tests.support.realdata import realdata_path

from .jira_payloads import query

pytestmark = pytest.mark.pipeline

SOURCE = "devlake-jira"
AS_OF = datetime(2022, 8, 8)

# status category → (flow state, stage) for the temporary mapping
CATEGORY_MAPPING = {
    "new": ("new", "Discovery"),
    "indeterminate": ("active", "Dev"),
    "done": ("done", "Feedback"),
}
# statuses that appear in the histories but no longer in GET /status (deleted since)
RETIRED_STATUSES = {"10020": ("Inbox", "new", "Discovery"), "10029": ("Ready for Dev", "waiting", "Dev")}
# issue types whose names the shipped mapping does not know
EXTRA_TYPES = {"10105": ("Test Execution", "Feature"), "10002": ("Technical-Debt", "Debt")}


def _rows(name: str) -> list[dict]:
    """Rows of a DevLake raw table CSV (columns id, params, data, url, input, created_at)."""
    csv.field_size_limit(1 << 30)
    with realdata_path("jira", "raw_tables", name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _jira_time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z").astimezone(UTC).replace(tzinfo=None)


@pytest.fixture(scope="module")
def devlake():
    realdata_path("jira", "raw_tables")  # skips the module cleanly when ../shared/realdata is absent
    issues = [json.loads(r["data"]) for r in _rows("_raw_jira_api_issues.csv")]
    changelog_rows = _rows("_raw_jira_api_issue_changelogs.csv")
    statuses = [json.loads(r["data"]) for r in _rows("_raw_jira_api_status.csv")]
    issue_types = [json.loads(r["data"]) for r in _rows("_raw_jira_api_issue_types.csv")]
    return issues, changelog_rows, statuses, issue_types


@pytest.fixture(scope="module")
def warehouse(devlake, tmp_path_factory):
    issues, changelog_rows, statuses, issue_types = devlake
    work = tmp_path_factory.mktemp("devlake")
    path = work / "warehouse.duckdb"
    con = duckdb.connect(str(path))
    store = RawStore(con)
    batch = store.start_batch(SOURCE, "jira")
    fetched = datetime(2022, 8, 8)
    store.stage(
        "jira_issues",
        SOURCE,
        [RawRecord(i["id"], i) for i in issues],
        request="GET /rest/agile/1.0/board/8/issue?expand=changelog",
        batch_id=batch,
        fetched_at=fetched,
    )
    # the board export carries each issue's histories inline; they land as change histories
    inline = [RawRecord(h["id"], h, parent_id=i["id"]) for i in issues for h in i["changelog"]["histories"]]
    separate = [
        RawRecord(
            json.loads(r["data"])["id"],
            json.loads(r["data"]),
            parent_id=str(json.loads(r["input"])["issue_id"]),
        )
        for r in changelog_rows
    ]
    store.stage(
        "jira_changelogs",
        SOURCE,
        inline + separate,
        request="GET /rest/api/3/issue/{id}/changelog",
        batch_id=batch,
        fetched_at=fetched,
    )
    store.stage(
        "jira_statuses",
        SOURCE,
        [RawRecord(s["id"], s) for s in statuses],
        request="GET /rest/api/3/status",
        batch_id=batch,
        fetched_at=fetched,
    )
    store.stage(
        "jira_issue_types",
        SOURCE,
        [RawRecord(t["id"], t) for t in issue_types],
        request="GET /rest/api/3/issuetype",
        batch_id=batch,
        fetched_at=fetched,
    )
    store.checkpoint()
    con.close()

    mappings = copy_mappings(work / "mappings")
    lines = [
        f"{SOURCE},{s['id']},{s['name']},{','.join(CATEGORY_MAPPING[s['statusCategory']['key']])},,"
        for s in statuses
    ]
    lines += [
        f"{SOURCE},{sid},{name},{state},{stage},," for sid, (name, state, stage) in RETIRED_STATUSES.items()
    ]
    with (mappings / "status_flow_mapping.csv").open("a", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    with (mappings / "issue_type_mapping.csv").open("a", encoding="utf-8") as handle:
        handle.write(
            "\n".join(f"{SOURCE},{tid},{name},,,{kind},story" for tid, (name, kind) in EXTRA_TYPES.items())
            + "\n"
        )

    result = run_dbt(
        path, ["build"], vars={"as_of": AS_OF.isoformat() + "Z"}, mappings_dir=mappings, work_dir=work
    )
    assert result.ok, "\n".join(result.failures()) + "\n" + result.output[-6000:]
    assert "WARN=0" in result.stdout, result.stdout[-4000:]
    return path


def _status_changes(issue: dict) -> list[tuple]:
    """The issue's status items in Jira's order: (created, numeric history id, item position)."""
    changes = []
    for history in issue["changelog"]["histories"]:
        for position, item in enumerate(history["items"]):
            if item.get("fieldId") == "status" or item["field"] == "status":
                changes.append((_jira_time(history["created"]), int(history["id"]), position, item))
    return sorted(changes, key=lambda c: c[:3])


def test_staging_flattens_real_payloads(devlake, warehouse):
    issues, changelog_rows, _, _ = devlake
    staged = {r["issue_key"]: r for r in query(warehouse, "select * from staging.stg_jira__issues")}
    assert len(staged) == len(issues)
    ee1 = staged["EE-1"]
    assert ee1["created_at"] == datetime(2020, 6, 12, 0, 13, 13, 360000)  # 08:13:13.360+0800
    assert ee1["status_id"] == "10068" and ee1["issue_type_name"] == "故事"
    assert ee1["labels"] == ["frontEnd", "Saas"]
    assert staged["EE-25"]["is_subtask"] is True and staged["EE-25"]["parent_issue_key"] == "EE-1"
    assert staged["K5-4"]["jira_hierarchy_level"] == 1
    items = query(warehouse, "select count(*) as n from staging.stg_jira__changelog_items")[0]["n"]
    expected = sum(len(h["items"]) for i in issues for h in i["changelog"]["histories"])
    expected += sum(len(json.loads(r["data"])["items"]) for r in changelog_rows)
    assert items == expected


def test_real_histories_become_status_intervals(devlake, warehouse):
    issues, _, _, _ = devlake
    flow_keys = {
        i["key"]
        for i in issues
        if not i["fields"]["issuetype"]["subtask"] and i["fields"]["issuetype"]["name"] != "Epic"
    }
    items = {r["issue_key"]: r for r in query(warehouse, "select * from marts.flow_items")}
    assert set(items) == flow_keys
    intervals: dict[str, list[dict]] = {}
    for row in query(
        warehouse, "select * from marts.status_intervals order by flow_item_id, interval_number"
    ):
        intervals.setdefault(row["issue_key"], []).append(row)
    for issue in issues:
        if issue["key"] not in flow_keys:
            continue
        changes = _status_changes(issue)
        rows = intervals[issue["key"]]
        expected_ids = (
            [changes[0][3]["from"]] + [c[3]["to"] for c in changes]
            if changes
            else [issue["fields"]["status"]["id"]]
        )
        assert [r["status_id"] for r in rows] == expected_ids, issue["key"]
        assert rows[0]["entered_at"] == _jira_time(issue["fields"]["created"])
        assert [r["entered_at"] for r in rows[1:]] == [c[0] for c in changes]
        assert rows[-1]["is_open"] and all(not r["is_open"] for r in rows[:-1])
    # names as Jira wrote them at the time, Chinese included; status 3 was renamed
    ee1 = [(r["status_id"], r["status_name_at_time"], r["flow_state"]) for r in intervals["EE-1"]]
    assert ee1 == [
        ("10020", "Inbox", "new"),
        ("10029", "Ready for Dev", "waiting"),
        ("3", "In Development", "active"),
        ("1", "Open", "new"),
        ("6", "Closed", "done"),
        ("10068", "已完成", "done"),
    ]


def test_real_items_complete_at_their_final_done_run(devlake, warehouse):
    issues, _, _, _ = devlake
    items = {r["issue_key"]: r for r in query(warehouse, "select * from marts.flow_items")}
    for key in ("EE-1", "EE-2", "EE-3"):
        issue = next(i for i in issues if i["key"] == key)
        item = items[key]
        assert item["is_completed"] and item["history_complete"], key
        # Closed/Resolved → 已完成 (a 2021 workflow migration) is done → done: the end stays at
        # the resolution, not at the migration
        resolved = _jira_time(issue["fields"]["resolutiondate"])
        assert abs(item["flow_end_at"] - resolved) < timedelta(seconds=1), key
        assert item["current_status_name"] == "已完成"
    assert items["EE-1"]["reopen_count"] == 0
    assert items["EE-1"]["flow_item_type"] == "Feature" and items["EE-23"]["flow_item_type"] == "Defect"
    assert items["K5-2"]["epic_issue_key"] is None and items["K5-3"]["epic_issue_key"] == "K5-4"
    assert not items["K5-2"]["is_completed"]


def test_default_lead_time_window(warehouse):
    rows = query(warehouse, "select * from marts.lead_time_by_stage order by stage_order")
    assert [r["stage"] for r in rows] == ["Discovery", "Dev", "Review", "Deploy", "Feedback"]
    assert {(r["window_start_at"], r["window_end_at"]) for r in rows} == {(AS_OF - timedelta(days=90), AS_OF)}
    assert {r["items_in_window"] for r in rows} == {0}  # the sample's items were completed in 2020
    assert not any(r["is_widest"] for r in rows)
