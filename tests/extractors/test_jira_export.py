import json

import duckdb
import pytest

from extractors.common.http import SourceError
from extractors.common.raw_store import RawStore
from extractors.jira.export import load_jira_export
from tests.support.realdata import devlake_payloads

ISSUE = {
    "id": "1",
    "key": "A-1",
    "fields": {"updated": "2026-05-01T10:00:00.000+0000"},
    "changelog": {"histories": [{"id": "11", "created": "2026-05-01T10:00:00.000+0000", "items": []}]},
}


@pytest.fixture
def store():
    return RawStore(duckdb.connect())


def count(store, table):
    return store.con.execute(f"SELECT count(*) FROM raw.{table}").fetchone()[0]


def test_all_shapes_land(tmp_path, store):
    (tmp_path / "page.json").write_text(json.dumps({"issues": [ISSUE]}))
    (tmp_path / "list.json").write_text(json.dumps([{**ISSUE, "id": "2", "changelog": None}]))
    (tmp_path / "more.jsonl").write_text(json.dumps({**ISSUE, "id": "3"}) + "\n\n")
    (tmp_path / "bulk.json").write_text(
        json.dumps({"issueChangeLogs": [{"issueId": "2", "changeHistories": [{"id": "21"}]}]})
    )
    (tmp_path / "statuses.json").write_text(json.dumps([{"id": "3", "name": "In Progress"}]))
    report = load_jira_export(store, "legacy", tmp_path)
    assert len(report.files_loaded) == 5
    assert count(store, "jira_issues") == 3
    assert count(store, "jira_changelogs") == 2  # history 11 (issues 1 and 3 share it: same record) + 21
    assert count(store, "jira_statuses") == 1
    assert (
        store.con.execute("SELECT DISTINCT request FROM raw.jira_statuses").fetchone()[0]
        == "file statuses.json"
    )


def test_loading_the_same_files_twice_is_a_no_op(tmp_path, store):
    (tmp_path / "page.json").write_text(json.dumps({"issues": [ISSUE]}))
    load_jira_export(store, "legacy", tmp_path)
    again = load_jira_export(store, "legacy", tmp_path)
    assert again.files_loaded == [] and again.files_skipped == ["page.json"]
    (tmp_path / "page.json").write_text(json.dumps({"issues": [{**ISSUE, "key": "A-1-renamed"}]}))
    changed = load_jira_export(store, "legacy", tmp_path)
    assert changed.files_loaded == ["page.json"]
    assert count(store, "jira_issues") == 2


def test_a_malformed_file_is_named_with_line_and_column_and_good_files_still_land(tmp_path, store):
    (tmp_path / "a_good.json").write_text(json.dumps({"issues": [ISSUE]}))
    (tmp_path / "b_bad.json").write_text('{"issues": [\n  {"id": "2",, }\n]}')
    with pytest.raises(SourceError, match=r"b_bad.json: line 2, column 14: malformed JSON"):
        load_jira_export(store, "legacy", tmp_path)
    assert count(store, "jira_issues") == 1
    assert store.con.execute("SELECT status FROM meta.batches").fetchone()[0] == "failed"


def test_unknown_documents_are_rejected_by_name(tmp_path, store):
    (tmp_path / "x.json").write_text('{"hello": 1}')
    with pytest.raises(SourceError, match="x.json: not a Jira export"):
        load_jira_export(store, "legacy", tmp_path)


def test_empty_folder_is_an_error(tmp_path, store):
    with pytest.raises(SourceError, match="no .json"):
        load_jira_export(store, "legacy", tmp_path)


def test_real_devlake_issues_with_inline_changelogs_land(tmp_path, store):
    issues = devlake_payloads("jira", "raw_tables", "_raw_jira_api_issues.csv")
    statuses = devlake_payloads("jira", "raw_tables", "_raw_jira_api_status.csv")
    (tmp_path / "issues.json").write_text(json.dumps({"issues": issues}, ensure_ascii=False))
    (tmp_path / "statuses.json").write_text(json.dumps(statuses, ensure_ascii=False))
    load_jira_export(store, "devlake-sample", tmp_path)
    distinct_issues = len({i["id"] for i in issues})
    inline = {h["id"] for i in issues for h in (i.get("changelog") or {}).get("histories", [])}
    assert (
        store.con.execute("SELECT count(DISTINCT record_id) FROM raw.jira_issues").fetchone()[0]
        == distinct_issues
    )
    assert store.con.execute("SELECT count(DISTINCT record_id) FROM raw.jira_changelogs").fetchone()[
        0
    ] == len(inline)
    names = {r[0] for r in store.con.execute("SELECT payload->>'name' FROM raw.jira_statuses").fetchall()}
    assert "已完成" in names
