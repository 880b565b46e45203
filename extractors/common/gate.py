"""The raw-level data-quality gate :class:`~extractors.common.raw_store.RawStore` runs.

At every checkpoint, before pending records merge into ``raw``:

1. a payload that is not JSON, or not a JSON object, is quarantined;
2. the table's suite projects the records into typed columns (in DuckDB) and Great Expectations
   validates them, in chunks; a record failing an ``error`` expectation is quarantined, the rest lands.

When a batch ends, each of its tables is compared with the source's recent successful batches (empty,
volume, schema — :mod:`extractors.common.batch_checks`); a failure holds the whole batch: its records
move from ``raw`` to quarantine, the source's cursors and file watermarks return to where they were,
so the next run fetches it again.

Every expectation's result per batch goes to ``meta.check_results``; quarantined records, with the
reason and the payload, to ``quarantine.records``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import duckdb
import pyarrow as pa

from extractors.common import batch_checks
from extractors.common.batch_checks import Profile
from extractors.common.expectations import Suite, expand_known
from extractors.common.quality import QualitySettings
from extractors.common.validation import Outcome, describe, message, validate_frame

QUARANTINE_SCHEMA = "quarantine"
JSON_OBJECT = "expect_payload_to_be_a_json_object"
SAMPLE_LINES = 5
CHUNK_VECTORS = 25  # DuckDB vectors of 2,048 rows: about 51,000 records per validated chunk


@dataclass(frozen=True)
class Rejection:
    row: int
    record_id: str
    field: str
    expectation: str
    reason: str


@dataclass
class CheckResult:
    table: str
    level: str
    expectation: str
    field: str
    severity: str
    evaluated: int = 0
    failures: int = 0
    sample: tuple[str, ...] = ()

    def add(self, evaluated: int, lines: list[str]) -> None:
        self.evaluated += evaluated
        self.failures += len(lines)
        self.sample = (*self.sample, *lines)[:SAMPLE_LINES]


def ensure_tables(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {QUARANTINE_SCHEMA}")
    con.execute(f"""
        CREATE TABLE IF NOT EXISTS {QUARANTINE_SCHEMA}.records (
            source VARCHAR, source_kind VARCHAR, table_name VARCHAR, record_id VARCHAR, parent_id VARCHAR,
            field VARCHAR, expectation VARCHAR, reason VARCHAR, payload VARCHAR, request VARCHAR,
            fetched_at TIMESTAMP, batch_id VARCHAR, quarantined_at TIMESTAMP)""")
    con.execute("""
        CREATE TABLE IF NOT EXISTS meta.check_results (
            batch_id VARCHAR, source VARCHAR, source_kind VARCHAR, table_name VARCHAR, check_level VARCHAR,
            expectation VARCHAR, field VARCHAR, severity VARCHAR, success BOOLEAN, evaluated BIGINT,
            failures BIGINT, sample VARCHAR, checked_at TIMESTAMP)""")
    con.execute("""
        CREATE TABLE IF NOT EXISTS meta.batch_profiles (
            batch_id VARCHAR, source VARCHAR, source_kind VARCHAR, table_name VARCHAR, records BIGINT,
            fields VARCHAR[], common_fields VARCHAR[])""")


def _exists(con: duckdb.DuckDBPyConnection, database: str, schema: str, table: str) -> bool:
    query = (
        "SELECT count(*) FROM duckdb_tables() WHERE database_name = ? AND schema_name = ? AND table_name = ?"
    )
    return con.execute(query, [database, schema, table]).fetchone()[0] > 0


def _rejections(outcome: Outcome, source: str, table: str) -> list[Rejection]:
    """One per failing record, and one (row -1) when the expectation could not run at all."""
    expectation = outcome.expectation

    def line(record_id: str, detail: str) -> str:
        return message(source, table, record_id, expectation.field, expectation.type, detail)

    found = [
        Rejection(
            f.row, f.record_id, expectation.field, expectation.type, line(f.record_id, describe(outcome, f))
        )
        for f in outcome.failures
    ]
    if outcome.error:
        found.append(
            Rejection(
                -1, "*", expectation.field, expectation.type, line("*", f"could not run: {outcome.error}")
            )
        )
    return found


class Gate:
    """Row-level expectations at each checkpoint, batch-level checks when a batch ends."""

    def __init__(self, suites: dict[str, Suite], parameters: dict[str, Any], settings: QualitySettings):
        self.suites = suites
        self.parameters = parameters
        self.settings = settings
        self.profiles: dict[tuple[str, str], Profile] = defaultdict(Profile)

    # -- rows ------------------------------------------------------------------------------------
    def screen(self, con: duckdb.DuckDBPyConnection, table: str, pending: str, now: Any) -> None:
        """Quarantine the pending records of ``table`` that fail, record every expectation's result."""
        batches = con.execute(f"SELECT DISTINCT batch_id, source FROM {pending}").fetchall()
        if not batches:
            return
        batch_id, source = batches[0]
        received = con.execute(f"SELECT count(*) FROM {pending}").fetchone()[0]
        results: dict[tuple[str, ...], CheckResult] = {}
        rejections = self._malformed(con, table, pending)
        results[(JSON_OBJECT, "payload", "error")] = CheckResult(
            table, "row", JSON_OBJECT, "payload", "error"
        )
        results[(JSON_OBJECT, "payload", "error")].add(received, [r.reason for r in rejections])
        self._reject(con, table, pending, rejections, now)
        con.execute(f"""CREATE OR REPLACE TEMP VIEW batch AS
            SELECT rowid AS _row, source, record_id, parent_id, payload::JSON AS payload FROM {pending}""")
        self._profile(con, batch_id, table, received)
        suite = self.suites.get(table)
        if suite is None:
            raise ValueError(f"raw table {table} has no expectation suite (expectations/{table}.json)")
        rejections = []
        outcomes = sorted(self._validate(con, suite), key=lambda o: o.expectation.severity != "error")
        for outcome in outcomes:  # errors first: a record they reject is not warned about too
            expectation = outcome.expectation
            if expectation.severity != "error":
                rejected = {r.row for r in rejections}
                outcome.failures = [f for f in outcome.failures if f.row not in rejected]
            key = (expectation.type, expectation.field, expectation.severity)
            result = results.setdefault(
                key, CheckResult(table, "row", expectation.type, expectation.field, expectation.severity)
            )
            failed = _rejections(outcome, source, table)
            result.add(outcome.evaluated, [r.reason for r in failed])
            if expectation.severity == "error":
                rejections += [r for r in failed if r.row >= 0]
        self._reject(con, table, pending, rejections, now)
        self._record(con, batch_id, source, results.values(), now)

    def _malformed(self, con: duckdb.DuckDBPyConnection, table: str, pending: str) -> list[Rejection]:
        rows = con.execute(f"""
            SELECT rowid, source, record_id,
                   CASE WHEN NOT coalesce(json_valid(payload), false) THEN 'malformed JSON'
                        ELSE 'a JSON ' || CASE json_type(payload)
                            WHEN 'VARCHAR' THEN 'string' WHEN 'ARRAY' THEN 'array'
                            WHEN 'BOOLEAN' THEN 'boolean'
                            WHEN 'NULL' THEN 'null' ELSE 'number' END || ', not an object' END
            FROM {pending}
            WHERE NOT coalesce(json_valid(payload), false)
               OR (CASE WHEN json_valid(payload) THEN json_type(payload) END) <> 'OBJECT'""").fetchall()
        return [
            Rejection(
                row,
                record_id,
                "payload",
                JSON_OBJECT,
                message(source, table, record_id, "payload", JSON_OBJECT, detail),
            )
            for row, source, record_id, detail in rows
        ]

    def _profile(self, con: duckdb.DuckDBPyConnection, batch_id: str, table: str, received: int) -> None:
        objects = con.execute("SELECT count(*) FROM batch").fetchone()[0]
        counts = dict(
            con.execute("""SELECT name, count(*) FROM (SELECT unnest(json_keys(payload)) AS name FROM batch)
                           GROUP BY name""").fetchall()
        )
        self.profiles[(batch_id, table)].add(received, counts, objects)

    def _relation(self, con: duckdb.DuckDBPyConnection, table: str) -> str:
        parts = []
        if _exists(con, con.execute("SELECT current_database()").fetchone()[0], "raw", table):
            parts.append(f"SELECT source, record_id, payload::JSON AS payload FROM raw.{table}")
        if _exists(con, "temp", "main", f"pending_{table}"):
            parts.append(
                f"SELECT source, record_id, payload::JSON FROM pending_{table} WHERE json_valid(payload)"
            )
        if not parts:
            parts.append("SELECT NULL::VARCHAR AS source, NULL::VARCHAR AS record_id, NULL::JSON AS payload")
        return "(" + " UNION ALL ".join(parts) + ")"

    def _validate(self, con: duckdb.DuckDBPyConnection, suite: Suite) -> list[Outcome]:
        sql = expand_known(suite.projection, lambda table: self._relation(con, table))
        cursor = con.execute(f"SELECT * FROM ({sql}) ORDER BY record_id")
        outcomes: list[Outcome] = []
        while True:
            frame = cursor.fetch_df_chunk(CHUNK_VECTORS)
            if frame.empty:
                return outcomes
            outcomes += validate_frame(frame, suite, self.parameters)

    def _reject(
        self, con: duckdb.DuckDBPyConnection, table: str, pending: str, rejections: list[Rejection], now: Any
    ) -> None:
        if not rejections:
            return
        rows = pa.table(
            {
                "row_number": pa.array([r.row for r in rejections], pa.int64()),
                "field": pa.array([r.field for r in rejections], pa.string()),
                "expectation": pa.array([r.expectation for r in rejections], pa.string()),
                "reason": pa.array([r.reason for r in rejections], pa.string()),
            }
        )
        con.register("_rejected", rows)
        try:
            con.execute(
                f"""INSERT INTO {QUARANTINE_SCHEMA}.records
                    SELECT p.source, b.source_kind, ?, p.record_id, p.parent_id, r.field, r.expectation,
                           r.reason, p.payload, p.request, p.fetched_at, p.batch_id, ?
                    FROM {pending} p JOIN _rejected r ON r.row_number = p.rowid
                    LEFT JOIN meta.batches b ON b.batch_id = p.batch_id""",
                [table, now],
            )
            con.execute(f"DELETE FROM {pending} WHERE rowid IN (SELECT row_number FROM _rejected)")
        finally:
            con.unregister("_rejected")

    @staticmethod
    def _record(con: duckdb.DuckDBPyConnection, batch_id: str, source: str, results: Any, now: Any) -> None:
        con.executemany(
            """INSERT INTO meta.check_results
               SELECT ?, ?, (SELECT source_kind FROM meta.batches WHERE batch_id = ?),
                      ?, ?, ?, ?, ?, ?, ?, ?, ?, ?""",
            [
                [
                    batch_id,
                    source,
                    batch_id,
                    r.table,
                    r.level,
                    r.expectation,
                    r.field,
                    r.severity,
                    r.failures == 0,
                    r.evaluated,
                    r.failures,
                    "\n".join(r.sample) or None,
                    now,
                ]
                for r in results
            ],
        )

    # -- batches ---------------------------------------------------------------------------------
    def close_batch(
        self, con: duckdb.DuckDBPyConnection, batch_id: str, source: str, kind: str, now: Any
    ) -> str | None:
        """Run the batch-level checks of every table ``kind`` lands; why the batch is held, if it is."""
        results = []
        for table, suite in self.suites.items():
            if kind not in suite.source_kinds:
                continue
            profile = self.profiles.pop((batch_id, table), Profile())
            recent = self._recent(con, source, kind, table)
            checks = (
                (
                    batch_checks.EMPTY,
                    "*",
                    batch_checks.empty_batch(profile, recent, kind in suite.expect_rows),
                ),
                (batch_checks.VOLUME, "*", batch_checks.volume_anomaly(profile, recent, self.settings)),
                (batch_checks.SCHEMA, "fields", batch_checks.schema_change(profile, recent)),
            )
            for expectation, field_name, problem in checks:
                result = CheckResult(table, "batch", expectation, field_name, "error")
                lines = (
                    [message(source, table, f"batch {batch_id}", field_name, expectation, problem)]
                    if problem
                    else []
                )
                result.add(1, lines)
                results.append(result)
            con.execute(
                "INSERT INTO meta.batch_profiles VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    batch_id,
                    source,
                    kind,
                    table,
                    profile.records,
                    sorted(profile.fields),
                    sorted(profile.common or ()),
                ],
            )
        self._record(con, batch_id, source, results, now)
        problems = [line for r in results for line in r.sample]
        return "; ".join(problems) or None

    def _recent(self, con: duckdb.DuckDBPyConnection, source: str, kind: str, table: str) -> list[Profile]:
        rows = con.execute(
            """SELECT p.records, p.fields, p.common_fields
               FROM meta.batch_profiles p JOIN meta.batches b USING (batch_id)
               WHERE p.source = ? AND p.source_kind = ? AND p.table_name = ? AND b.status = 'succeeded'
               ORDER BY b.started_at DESC LIMIT ?""",
            [source, kind, table, self.settings.recent_batches],
        ).fetchall()
        return [
            Profile(records, set(fields), set(common) if records else None)
            for records, fields, common in rows
        ]

    @staticmethod
    def hold(
        con: duckdb.DuckDBPyConnection,
        batch_id: str,
        reason: str,
        cursors: list[tuple[str, str, str, Any]],
        source: str,
        now: Any,
    ) -> None:
        """Move the batch's records from ``raw`` to quarantine; put the source's cursors back."""
        tables = [
            name
            for (name,) in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'raw'"
            ).fetchall()
        ]
        con.execute("BEGIN TRANSACTION")
        try:
            for table in tables:
                con.execute(
                    f"""INSERT INTO {QUARANTINE_SCHEMA}.records
                        SELECT r.source, b.source_kind, ?, r.record_id, r.parent_id, '*', 'batch held', ?,
                               r.payload::VARCHAR, r.request, r.fetched_at, r.batch_id, ?
                        FROM raw.{table} r JOIN meta.batches b USING (batch_id) WHERE r.batch_id = ?""",
                    [table, reason, now, batch_id],
                )
                con.execute(f"DELETE FROM raw.{table} WHERE batch_id = ?", [batch_id])
            con.execute("DELETE FROM meta.cursors WHERE source = ?", [source])
            if cursors:
                con.executemany("INSERT INTO meta.cursors VALUES (?, ?, ?, ?)", [list(c) for c in cursors])
            con.execute("DELETE FROM meta.loaded_files WHERE batch_id = ?", [batch_id])
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
