"""The raw-level gate without Dagster: suites, the validator, quarantine and held batches."""

from __future__ import annotations

import re

import duckdb
import orjson
import pytest

from extractors.common import batch_checks
from extractors.common.batch_checks import Profile
from extractors.common.expectations import Suite, load_suites
from extractors.common.gate import Gate
from extractors.common.gate_report import freshness, summarise
from extractors.common.quality import SHIPPED_MAPPINGS_DIR as MAPPINGS
from extractors.common.quality import (
    QualitySettings,
    environment_patterns,
    expectation_parameters,
    known_status_ids,
)
from extractors.common.raw_store import RawRecord, RawStore, utc_now
from extractors.common.validation import message
from extractors.git.extract import GIT_TABLES
from extractors.github.extract import GITHUB_TABLES
from extractors.jira.export import load_jira_export
from extractors.jira.extract import CHANGELOGS, ISSUES, REFERENCE_TABLES, TOMBSTONES
from extractors.launchdarkly.extract import LAUNCHDARKLY_TABLES
from extractors.pagerduty.extract import PAGERDUTY_TABLES
from extractors.product_files.kinds import PRODUCT_TABLES

RAW_TABLES = {
    ISSUES, CHANGELOGS, TOMBSTONES, *REFERENCE_TABLES.values(), *GIT_TABLES, *GITHUB_TABLES,
    *PAGERDUTY_TABLES, *LAUNCHDARKLY_TABLES, *PRODUCT_TABLES,
}  # fmt: skip
SETTINGS = QualitySettings()
# Snapshots of records that change: one read twice while a run pages (it changed meanwhile) is two versions.
SNAPSHOT_TABLES = {
    ISSUES, "github_pull_requests", "github_deployments", "github_workflow_runs", "github_releases",
    "pagerduty_incidents", "launchdarkly_flags",
}  # fmt: skip


@pytest.fixture(scope="module")
def gate_parts():
    return load_suites(), expectation_parameters(None, SETTINGS)


@pytest.fixture
def store(gate_parts):
    suites, parameters = gate_parts
    return RawStore(duckdb.connect(), gate=Gate(suites, parameters, SETTINGS))


def issue(issue_id, key="PAY-1", status="3", created="2026-06-01T10:00:00.000+0200", **extra):
    fields = {"status": {"id": status}, "issuetype": {"id": "10001"}, "created": created}
    fields["updated"] = "2026-06-02T10:00:00.000+0200"
    return {"id": issue_id, "key": key, "fields": fields, **extra}


def history(history_id, created):
    return {"id": history_id, "created": created, "items": [{"field": "status", "to": "3"}]}


def quarantined(store):
    return store.con.execute(
        "SELECT table_name, record_id, field, expectation, reason, payload "
        "FROM quarantine.records ORDER BY ALL"
    ).fetchall()


def landed(store, table):
    return [r[0] for r in store.con.execute(f"SELECT record_id FROM raw.{table} ORDER BY 1").fetchall()]


def test_every_raw_table_has_a_valid_suite(gate_parts):
    suites, _ = gate_parts
    assert set(suites) == RAW_TABLES
    for suite in suites.values():
        assert suite.problems() == []
        assert {e.severity for e in suite.expectations} <= {"error", "warning"}
        unique = [e.field for e in suite.expectations if e.type == "expect_column_values_to_be_unique"]
        assert unique == ([] if suite.table in SNAPSHOT_TABLES else [suite.record_id_field])


def test_mapping_parameters_name_known_statuses_and_environments():
    assert {"1", "10103"} <= set(known_status_ids(MAPPINGS))
    patterns = environment_patterns(MAPPINGS)
    assert "(?i).*" not in patterns and patterns  # the catch-all names no environment
    assert any(re.search(p, "Prod-EU") for p in patterns)
    assert not any(re.search(p, "moon-base") for p in patterns)


def test_message_is_one_actionable_line():
    line = message("acme-jira", "jira_issues", "10001", "fields.status.id", "expect_x", "'99' — unknown")
    assert line == "acme-jira · jira_issues · 10001 · fields.status.id · expect_x: '99' — unknown"


def test_bad_records_are_quarantined_with_reason_and_payload_and_good_ones_land(store):
    batch = store.start_batch("acme-jira", "jira")
    records = [
        RawRecord("1", issue("1")),
        RawRecord("2", issue("2", status="99999")),
        RawRecord("3", issue("3", key="not a key")),
        RawRecord("4", '{"id": "4", "key": '),
        RawRecord("5", "[1, 2]"),
        RawRecord("6", issue("6", created="yesterday")),
    ]
    store.stage(ISSUES, "acme-jira", records, request="GET /search", batch_id=batch)
    store.checkpoint()
    assert landed(store, ISSUES) == ["1"]
    found = {(r[1], r[2], r[3]): r for r in quarantined(store)}
    assert set(found) == {
        ("2", "fields.status.id", "expect_column_values_to_be_in_set"),
        ("3", "key", "expect_column_values_to_match_regex"),
        ("4", "payload", "expect_payload_to_be_a_json_object"),
        ("5", "payload", "expect_payload_to_be_a_json_object"),
        ("6", "fields.created", "expect_column_values_to_match_regex"),
    }
    reason = found[("2", "fields.status.id", "expect_column_values_to_be_in_set")][4]
    assert reason.startswith(
        "acme-jira · jira_issues · 2 · fields.status.id · expect_column_values_to_be_in_set: '99999'"
    )
    assert found[("4", "payload", "expect_payload_to_be_a_json_object")][5] == '{"id": "4", "key": '
    assert "malformed JSON" in found[("4", "payload", "expect_payload_to_be_a_json_object")][4]
    assert "a JSON array, not an object" in found[("5", "payload", "expect_payload_to_be_a_json_object")][4]
    summary = summarise(store.con, [batch])[(ISSUES, "row")]
    assert summary.errors == 5 and not summary.passed


def test_clock_skew_within_the_limit_warns_and_lands_beyond_it_is_quarantined(store):
    batch = store.start_batch("acme-jira", "jira")
    store.stage(ISSUES, "acme-jira", [RawRecord("1", issue("1"))], request="r", batch_id=batch)
    skews = {"h1": "2026-06-01T09:30:00.000+0200", "h2": "2026-06-01T07:00:00.000+0200"}
    histories = [RawRecord(i, history(i, created), parent_id="1") for i, created in skews.items()]
    store.stage(CHANGELOGS, "acme-jira", histories, request="r", batch_id=batch)
    store.checkpoint()
    assert landed(store, CHANGELOGS) == ["h1"]
    (row,) = quarantined(store)
    assert row[1:4] == ("h2", "created", "expect_column_values_to_be_between")
    assert "180 — minutes before the issue's creation, beyond max_clock_skew_minutes" in row[4]
    summary = summarise(store.con, [batch])[(CHANGELOGS, "row")]
    assert summary.warnings == 1 and "h1 · created" in summary.warning_lines[0]


def test_duplicate_records_in_one_batch_are_quarantined(store):
    batch = store.start_batch("acme-jira", "jira")
    store.stage(ISSUES, "acme-jira", [RawRecord("1", issue("1"))], request="r", batch_id=batch)
    dupes = [RawRecord("h1", history("h1", "2026-06-02T10:00:00.000+0200"), parent_id="1")] * 2
    store.stage(CHANGELOGS, "acme-jira", dupes, request="r", batch_id=batch)
    store.checkpoint()
    assert landed(store, CHANGELOGS) == []
    assert {r[3] for r in quarantined(store)} == {"expect_column_values_to_be_unique"}


def run_batch(store, issues, cursor):
    batch = store.start_batch("acme-jira", "jira")
    if issues:
        store.stage(ISSUES, "acme-jira", issues, request="r", batch_id=batch)
    store.checkpoint({("acme-jira", "issues"): cursor})
    return batch, store.finish_batch(batch, "succeeded", len(issues), 0)


def test_a_schema_change_holds_the_whole_batch_and_restores_the_cursor(store):
    _, status = run_batch(store, [RawRecord("1", issue("1")), RawRecord("2", issue("2"))], "c1")
    assert status == "succeeded"
    batch, status = run_batch(store, [RawRecord("3", issue("3", renderedFields={}))], "c2")
    assert status == "quarantined"
    assert landed(store, ISSUES) == ["1", "2"]
    assert store.cursor("acme-jira", "issues") == "c1"
    (row,) = quarantined(store)
    assert row[1] == "3" and "new field(s) renderedFields" in row[4]
    message_text = store.con.execute(
        "SELECT message FROM meta.batches WHERE batch_id = ?", [batch]
    ).fetchone()[0]
    assert f"acme-jira · jira_issues · batch {batch} · fields · {batch_checks.SCHEMA}" in message_text
    assert not summarise(store.con, [batch])[(ISSUES, "batch")].passed


def test_an_empty_batch_of_a_table_the_source_always_fills_is_held(store):
    run_batch(store, [RawRecord("1", issue("1"))], "c1")
    batch, status = run_batch(store, [], "c2")
    assert status == "quarantined"
    assert store.cursor("acme-jira", "issues") == "c1"
    assert batch_checks.EMPTY in summarise(store.con, [batch])[(ISSUES, "batch")].error_lines[0]


def test_volume_anomaly_compares_with_the_recent_median():
    settings = QualitySettings(volume_max_ratio=10, volume_min_records=100)
    recent = [Profile(records=n) for n in (20, 30, 25)]
    assert batch_checks.volume_anomaly(Profile(records=240), recent, settings) is None
    assert "more than 10× the median 25" in batch_checks.volume_anomaly(
        Profile(records=260), recent, settings
    )
    assert batch_checks.volume_anomaly(Profile(records=260), [], settings) is None


def test_schema_change_names_new_and_missing_fields():
    before = Profile(records=2, fields={"id", "key", "fields"}, common={"id", "key", "fields"})
    now = Profile(records=1, fields={"id", "fields", "extra"}, common={"id", "fields", "extra"})
    assert batch_checks.schema_change(now, [before]) == "new field(s) extra; missing field(s) key"
    assert batch_checks.schema_change(before, [before]) is None


def test_freshness_fails_for_a_source_without_a_recent_successful_batch(store):
    run_batch(store, [RawRecord("1", issue("1"))], "c1")
    found = {
        f.source: f for f in freshness(store.con, ISSUES, {"acme-jira": 24, "other-jira": 24}, utc_now())
    }
    assert found["acme-jira"].fresh
    assert not found["other-jira"].fresh
    assert (
        found["other-jira"].line
        == "other-jira · jira_issues · - · batches · freshness: no successful batch ever (window 24 h)"
    )


def test_a_jira_export_line_that_is_not_an_object_is_quarantined_and_the_rest_lands(store, tmp_path):
    good = orjson.dumps(issue("7", key="PAY-7")).decode()
    (tmp_path / "issues.jsonl").write_text(f'{good}\n{{"id": "8", "key": \n"just text"\n')
    report = load_jira_export(store, "acme-export", tmp_path)
    assert report.errors == [] and landed(store, ISSUES) == ["7"]
    rows = {r[1]: r for r in quarantined(store)}
    assert set(rows) == {"issues.jsonl:2", "issues.jsonl:3"}
    assert rows["issues.jsonl:2"][5] == '{"id": "8", "key": '
    assert "a JSON string, not an object" in rows["issues.jsonl:3"][4]


def test_an_expectation_that_cannot_run_fails_its_check_without_quarantining(gate_parts):
    broken = Suite(
        ISSUES,
        {
            "name": ISSUES,
            "expectations": [
                {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "nowhere"}, "meta": {}}
            ],
            "meta": {
                "streamgauge": {"source_kinds": ["jira"], "projection": "SELECT _row, record_id FROM batch"}
            },
        },
    )
    store = RawStore(duckdb.connect(), gate=Gate({ISSUES: broken}, gate_parts[1], SETTINGS))
    batch = store.start_batch("acme-jira", "jira")
    store.stage(ISSUES, "acme-jira", [RawRecord("1", issue("1"))], request="r", batch_id=batch)
    store.checkpoint()
    assert landed(store, ISSUES) == ["1"]
    (line,) = summarise(store.con, [batch])[(ISSUES, "row")].error_lines
    assert line.startswith(
        "acme-jira · jira_issues · * · nowhere · expect_column_values_to_not_be_null: could not run"
    )
