"""Bad data injected through the simulated sources stops at the raw gates: for each kind, the right
check fails with the right one-line message, good records still land, the bad ones are in quarantine
with reason and payload, and the published marts stay byte for byte as they were; a good run after
them publishes normally.

Every case starts from a copy of the session's published warehouse; the bad runs stop at the blocking
checks (no dbt), so they cost only an incremental extraction each.
"""

from __future__ import annotations

import logging
import shutil

import duckdb
import pytest

from extractors.simulation.corruption import CORRUPTIONS, CorruptionPlan
from tests.support.pipeline import run_pipeline

# kind → (raw table, check level, the failing line's field · expectation: detail)
EXPECTED = {
    "malformed_json": ("jira_issues", "row", "payload · expect_payload_to_be_a_json_object: malformed JSON"),
    "missing_field": ("jira_issues", "row", "fields.created · expect_column_values_to_not_be_null: missing"),
    "unknown_status": (
        "jira_issues",
        "row",
        "fields.status.id · expect_column_values_to_be_in_set: '99999' — a status id status_flow_mapping",
    ),
    "changelog_before_creation": (
        "jira_changelogs",
        "row",
        "created · expect_column_values_to_be_between:",
    ),
    "clock_skew": (
        "github_deployments",
        "row",
        "updated_at · expect_column_values_to_be_between: 180 — minutes the deployment finished before it "
        "started, beyond max_clock_skew_minutes",
    ),
    "duplicate_events": ("jira_changelogs", "row", "id · expect_column_values_to_be_unique:"),
    "empty_page": ("jira_issues", "batch", "* · expect_batch_to_have_rows: no records"),
    "schema_change": (
        "jira_issues",
        "batch",
        "fields · expect_batch_fields_to_match_recent_batches: new field(s) schemaVersion",
    ),
    "unknown_environment": (
        "github_deployments",
        "row",
        "environment · expect_column_values_to_match_regex_list: 'moon-base'",
    ),
}


@pytest.fixture(scope="module")
def published(flow_pipeline, tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("gates") / "warehouse"
    shutil.copytree(flow_pipeline.run.settings.warehouse.data_dir, data_dir)
    return flow_pipeline.org, data_dir, data_dir / "streamgauge.duckdb"


def test_every_corruption_kind_has_a_case():
    assert set(EXPECTED) == set(CORRUPTIONS)


@pytest.mark.parametrize("kind", list(EXPECTED))
def test_bad_input_stops_at_the_raw_gate_and_keeps_the_published_marts(published, kind, caplog):
    org, data_dir, published_file = published
    table, level, expected = EXPECTED[kind]
    before = published_file.read_bytes()
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        ids_before = {r[0] for r in con.execute(f"SELECT DISTINCT record_id FROM raw.{table}").fetchall()}
        quarantined_before = con.execute("SELECT count(*) FROM quarantine.records").fetchone()[0]

    with caplog.at_level(logging.WARNING, logger="streamgauge"):
        run = run_pipeline(org, data_dir, corruption=CorruptionPlan(kind))

    assert not run.succeeded
    assert published_file.read_bytes() == before  # the previous marts, byte for byte
    lines = [
        r.getMessage() for r in caplog.records if r.name == "streamgauge.gates" and r.levelno == logging.ERROR
    ]
    matching = [line for line in lines if f" · {table} · " in line and expected in line]
    assert matching, "\n".join(lines)
    source = matching[0].split(" · ")[0]
    with run.working() as con:
        batch_id, status, failed = con.execute(
            """SELECT b.batch_id, b.status, bool_or(NOT c.success)
               FROM meta.batches b JOIN meta.check_results c USING (batch_id)
               WHERE b.source = ? AND c.table_name = ? AND c.check_level = ?
               GROUP BY ALL ORDER BY max(b.started_at) DESC LIMIT 1""",
            [source, table, level],
        ).fetchone()
        assert failed
        quarantine = con.execute(
            "SELECT record_id, reason, payload FROM quarantine.records WHERE batch_id = ? AND table_name = ?",
            [batch_id, table],
        ).fetchall()
        assert all(reason and payload for _, reason, payload in quarantine)
        if kind != "empty_page":  # an empty batch landed nothing to hold
            assert quarantine
            assert con.execute("SELECT count(*) FROM quarantine.records").fetchone()[0] > quarantined_before
        ids_after = {r[0] for r in con.execute(f"SELECT DISTINCT record_id FROM raw.{table}").fetchall()}
        assert ids_before <= ids_after  # nothing good was lost
        if level == "batch":  # held whole: nothing of the batch stays in raw, it is fetched again next run
            assert (
                status == "quarantined"
                and expected.split(": ")[1]
                in con.execute("SELECT message FROM meta.batches WHERE batch_id = ?", [batch_id]).fetchone()[
                    0
                ]
            )
            assert (
                con.execute(f"SELECT count(*) FROM raw.{table} WHERE batch_id = ?", [batch_id]).fetchone()[0]
                == 0
            )
        else:  # the rest of the batch landed
            assert status == "succeeded"
            received = con.execute(
                """SELECT sum(evaluated) FROM meta.check_results
                   WHERE batch_id = ? AND expectation = 'expect_payload_to_be_a_json_object'""",
                [batch_id],
            ).fetchone()[0]
            assert received > len(quarantine) or kind == "malformed_json"


def test_a_good_run_after_the_bad_ones_publishes(published):
    org, data_dir, _ = published
    run = run_pipeline(org, data_dir)
    assert run.succeeded
    with run.published() as con:
        assert con.execute("SELECT count(*) FROM marts.flow_items").fetchone()[0] > 0
