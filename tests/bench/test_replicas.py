"""The benchmark's large sizes copy a landed organisation: every copy must be an organisation of its
own (names, keys, repositories) that the models treat exactly as they treat the base."""

from __future__ import annotations

import csv
import json

import duckdb
import pytest

from orchestration.bench.replicas import (
    COPY_STORAGE,
    Replication,
    replica_mismatches,
    replicate_mappings,
    replicate_raw,
)
from orchestration.bench.sizes import base_and_copies

REPLICATION = Replication(
    factor=3,
    sources=("demo-jira", "demo-github"),
    project_keys=("PAY", "PLAT"),
    renamed=("acme/payments-service", "PPAY001"),
)

# text as the base wrote it → as copy 2 writes it
REWRITES = {
    "PAY-12": "PAY2-12",
    "bugfix/pay-7-cache and plat-3": "bugfix/pay2-7-cache and plat2-3",
    # a key after a JSON escape (a commit message's second paragraph) is still a key
    r'{"message":"Merge\n\nPLAT-4: Push"}': r'{"message":"Merge\n\nPLAT2-4: Push"}',
    '{"project":{"key":"PAY","name":"Payments"}}': '{"project":{"key":"PAY2","name":"Payments"}}',
    "GET /repos/acme/payments-service/pulls/5": "GET /repos/acme/payments-service-r2/pulls/5",
    '{"service":{"id":"PPAY001"}}': '{"service":{"id":"PPAY001-r2"}}',
    # not keys of a base project: glued to a letter, another project, a word starting with one
    "xPAY-4 PAYMENT-1 MOB-3 2026-05-01": "xPAY-4 PAYMENT-1 MOB-3 2026-05-01",
}


@pytest.mark.parametrize(("base", "copy"), REWRITES.items())
def test_a_copy_renames_keys_projects_and_repositories_in_python_and_in_sql(base, copy):
    assert REPLICATION.rewrite(base, 2) == copy
    sql = REPLICATION.copy_sql(REPLICATION.template_sql("$text"), "$copy")
    assert duckdb.execute(f"SELECT {sql}", {"text": base, "copy": 2}).fetchone()[0] == copy


def _raw_warehouse(database: str = ":memory:", config: dict | None = None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(database, config=config or {})
    con.execute("CREATE SCHEMA raw; CREATE SCHEMA meta")
    con.execute("CREATE TABLE meta.batches (batch_id VARCHAR PRIMARY KEY, source VARCHAR)")
    con.execute("""
        CREATE TABLE raw.jira_issues (source VARCHAR, record_id VARCHAR, parent_id VARCHAR, payload JSON,
            payload_hash VARCHAR, request VARCHAR, fetched_at TIMESTAMP, batch_id VARCHAR)""")
    return con


def _land(con, source: str, record_id: str, key: str, batch: str) -> None:
    con.execute(
        "INSERT INTO raw.jira_issues VALUES (?, ?, NULL, ?, 'h', 'GET /search', TIMESTAMP '2026-11-01', ?)",
        [source, record_id, json.dumps({"id": record_id, "key": key}), batch],
    )
    con.execute("INSERT OR IGNORE INTO meta.batches VALUES (?, ?)", [batch, source])


def test_raw_rows_are_copied_once_and_a_refresh_copies_only_what_it_landed():
    con = _raw_warehouse()
    _land(con, "demo-jira", "10001", "PAY-1", "b1")
    _land(con, "someone-else", "7", "PAY-9", "x1")  # not a base source: never copied
    assert replicate_raw(con, REPLICATION) == {"jira_issues": 2}
    assert replicate_raw(con, REPLICATION) == {"jira_issues": 0}
    _land(con, "demo-jira", "10002", "PLAT-2", "b2")
    assert replicate_raw(con, REPLICATION) == {"jira_issues": 2}
    rows = con.execute(
        "SELECT source, record_id, payload->>'key' FROM raw.jira_issues ORDER BY source, record_id"
    ).fetchall()
    assert rows == [
        ("demo-jira", "10001", "PAY-1"),
        ("demo-jira", "10002", "PLAT-2"),
        ("demo-jira-r1", "10001", "PAY1-1"),
        ("demo-jira-r1", "10002", "PLAT1-2"),
        ("demo-jira-r2", "10001", "PAY2-1"),
        ("demo-jira-r2", "10002", "PLAT2-2"),
        ("someone-else", "7", "PAY-9"),
    ]


def test_mapping_rows_naming_a_base_source_are_copied_with_their_copy_names(tmp_path):
    (tmp_path / "services.csv").write_text(
        "service,repository,github_source,pagerduty_service_id,description\n"
        "payments-api,acme/payments-service,demo-github,PPAY001,Payments\n"
        "other,acme/other,their-github,POTHER,Not ours\n"
    )
    (tmp_path / "stages.csv").write_text("stage,stage_order\nDev,1\n")
    assert replicate_mappings(tmp_path, REPLICATION) == {"services": 2}
    assert replicate_mappings(tmp_path, REPLICATION) == {}  # the copies are there already
    with (tmp_path / "services.csv").open() as handle:
        rows = [
            (row["service"], row["repository"], row["github_source"], row["pagerduty_service_id"])
            for row in csv.DictReader(handle)
        ]
    assert rows == [
        ("payments-api", "acme/payments-service", "demo-github", "PPAY001"),
        ("other", "acme/other", "their-github", "POTHER"),
        ("payments-api-r1", "acme/payments-service-r1", "demo-github-r1", "PPAY001-r1"),
        ("payments-api-r2", "acme/payments-service-r2", "demo-github-r2", "PPAY001-r2"),
    ]
    assert (tmp_path / "stages.csv").read_text() == "stage,stage_order\nDev,1\n"


def _marts(rows: list[tuple]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("CREATE SCHEMA marts")
    con.execute(
        "CREATE TABLE marts.stage_durations (flow_item_id VARCHAR, stage VARCHAR, duration_hours DOUBLE)"
    )
    con.executemany("INSERT INTO marts.stage_durations VALUES (?, ?, ?)", rows)
    return con


BASE_AND_COPIES = [
    ("demo-jira:1", "Dev", 10.0),
    ("demo-jira-r1:1", "Dev", 10.0 + 1e-12),  # summed in another order: equal within the tolerance
    ("demo-jira-r2:1", "Dev", 10.0),
]
CHECKED = {"stage_durations": "true"}


def test_copies_equal_to_the_base_pass_the_check():
    assert replica_mismatches(_marts(BASE_AND_COPIES), REPLICATION, CHECKED) == {"stage_durations": 0}


@pytest.mark.parametrize(
    "broken",
    [
        BASE_AND_COPIES[:2],  # a copy lost its row
        [*BASE_AND_COPIES[:2], ("demo-jira-r2:1", "Dev", 10.5)],  # a copy computed another figure
        [*BASE_AND_COPIES, ("demo-jira-r2:1", "Dev", 10.0)],  # a copy has a row twice
    ],
)
def test_a_copy_that_differs_from_the_base_fails_the_check(broken):
    assert replica_mismatches(_marts(broken), REPLICATION, CHECKED) == {"stage_durations": 1}


def test_sizes_past_the_base_are_whole_copies_of_it():
    assert base_and_copies(3_000, 5_000) == (3_000, 1)
    assert base_and_copies(1_000_000, 5_000) == (5_000, 200)
    assert base_and_copies(12_000, 5_000) == (5_000, 3)


def test_copies_are_stored_compressed_with_zstd(tmp_path):
    con = _raw_warehouse(str(tmp_path / "warehouse.duckdb"), COPY_STORAGE)
    for number in range(50):
        _land(con, "demo-jira", str(number), f"PAY-{number}", "b1")
    replicate_raw(con, REPLICATION)
    con.execute("CHECKPOINT")
    methods = con.execute(
        "SELECT DISTINCT compression FROM pragma_storage_info('raw.jira_issues')"
        " WHERE column_name = 'payload'"
    ).fetchall()
    assert ("ZSTD",) in methods
