"""Landing raw payloads in DuckDB's ``raw`` schema: as received, resumable, never twice.

Every source entity has one table ``raw.<source_kind>_<entity>`` with the same columns:

==============  =====================================================================
``source``      the configured connection name (``acme-jira``), or the export's name
``record_id``   the record's own id at the source (issue id, change-history id, SHA …)
``parent_id``   the owning record's id where there is one (issue id of a history)
``payload``     the record as the API returned it (JSON)
``payload_hash``md5 of the payload text: a version identical to the record's latest is not landed
``request``     the request that returned it (method, path, query; never headers)
``fetched_at``  when it was fetched (UTC)
``batch_id``    the extraction run that landed it (see ``meta.batches``)
==============  =====================================================================

Pages are staged in a temporary table and merged into ``raw`` at a *checkpoint*, in one
transaction with the source's cursor. An interrupted run therefore resumes from its last
checkpoint, and a re-run lands nothing twice: a version lands only when its content differs from the
record's latest landed version (so a record that returns to an earlier state lands again).

With a :class:`~extractors.common.gate.Gate`, every checkpoint first quarantines the pending records
that fail their table's expectation suite, and a batch that fails a batch-level check is held when it
ends (status ``quarantined``): see :mod:`extractors.common.gate`.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import orjson
import pyarrow as pa

from extractors.common.gate import Gate, ensure_tables

RAW_SCHEMA = "raw"
META_SCHEMA = "meta"
_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class RawRecord:
    record_id: str
    payload: object
    parent_id: str | None = None

    def payload_text(self) -> str:
        if isinstance(self.payload, str):
            return self.payload
        if isinstance(self.payload, bytes):
            return self.payload.decode()
        return orjson.dumps(self.payload).decode()


@dataclass(frozen=True)
class LoadedFile:
    """A file whose records landed; the same name and checksum is never loaded again."""

    source: str
    file_name: str
    sha256: str
    batch_id: str
    records: int


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _checked(name: str) -> str:
    if not _IDENTIFIER.match(name):
        raise ValueError(f"not a valid table name: {name!r}")
    return name


def sha256_of_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class RawStore:
    """Writes raw payloads and extraction state through one DuckDB connection."""

    def __init__(self, con: duckdb.DuckDBPyConnection, gate: Gate | None = None):
        self.con = con
        self.gate = gate
        self.batch_ids: list[str] = []  # the batches this store started, in order
        self._pending: dict[str, int] = {}
        self._cursors_at_start: dict[str, list[tuple]] = {}
        self._tables: set[str] = set()  # raw tables known to exist (created once per store, not per page)
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {RAW_SCHEMA}")
        con.execute(f"CREATE SCHEMA IF NOT EXISTS {META_SCHEMA}")
        con.execute(f"""
            CREATE TABLE IF NOT EXISTS {META_SCHEMA}.cursors (
                source VARCHAR, entity VARCHAR, cursor_value VARCHAR, updated_at TIMESTAMP,
                PRIMARY KEY (source, entity))""")
        con.execute(f"""
            CREATE TABLE IF NOT EXISTS {META_SCHEMA}.batches (
                batch_id VARCHAR PRIMARY KEY, source VARCHAR, source_kind VARCHAR,
                started_at TIMESTAMP, finished_at TIMESTAMP, status VARCHAR,
                records_received BIGINT, records_landed BIGINT, message VARCHAR)""")
        con.execute(f"""
            CREATE TABLE IF NOT EXISTS {META_SCHEMA}.loaded_files (
                source VARCHAR, file_name VARCHAR, sha256 VARCHAR, loaded_at TIMESTAMP, batch_id VARCHAR,
                records BIGINT, PRIMARY KEY (source, file_name, sha256))""")
        if gate is not None:
            ensure_tables(con)

    # -- tables ---------------------------------------------------------------------------------
    def ensure_table(self, table: str) -> str:
        table = _checked(table)
        if table not in self._tables:
            self.con.execute(f"""
                CREATE TABLE IF NOT EXISTS {RAW_SCHEMA}.{table} (
                    source VARCHAR NOT NULL, record_id VARCHAR NOT NULL, parent_id VARCHAR,
                    payload JSON, payload_hash VARCHAR NOT NULL, request VARCHAR,
                    fetched_at TIMESTAMP NOT NULL, batch_id VARCHAR NOT NULL)""")
            self._tables.add(table)
        return table

    # -- staging and checkpoints ----------------------------------------------------------------
    def stage(
        self,
        table: str,
        source: str,
        records: Iterable[RawRecord],
        *,
        request: str,
        batch_id: str,
        fetched_at: datetime | None = None,
    ) -> int:
        """Append one page of records to the pending area; they land at the next checkpoint."""
        rows = list(records)
        if not rows:
            return 0
        table = self.ensure_table(table)
        pending = f"pending_{table}"
        self.con.execute(f"""
            CREATE TEMP TABLE IF NOT EXISTS {pending} (
                source VARCHAR, record_id VARCHAR, parent_id VARCHAR, payload VARCHAR,
                request VARCHAR, fetched_at TIMESTAMP, batch_id VARCHAR)""")
        when = fetched_at or utc_now()
        arrow = pa.table(
            {
                "source": pa.array([source] * len(rows), pa.string()),
                "record_id": pa.array([str(r.record_id) for r in rows], pa.string()),
                "parent_id": pa.array(
                    [None if r.parent_id is None else str(r.parent_id) for r in rows], pa.string()
                ),
                "payload": pa.array([r.payload_text() for r in rows], pa.string()),
                "request": pa.array([request] * len(rows), pa.string()),
                "fetched_at": pa.array([when] * len(rows), pa.timestamp("us")),
                "batch_id": pa.array([batch_id] * len(rows), pa.string()),
            }
        )
        self.con.register("_incoming_page", arrow)
        try:
            self.con.execute(f"INSERT INTO {pending} SELECT * FROM _incoming_page")
        finally:
            self.con.unregister("_incoming_page")
        self._pending[table] = self._pending.get(table, 0) + len(rows)
        return len(rows)

    def stage_rows(
        self,
        table: str,
        source: str,
        rows: pa.Table,
        *,
        batch_id: str,
        fetched_at: datetime | None = None,
    ) -> int:
        """Like :meth:`stage`, for records that each name their own request (a file and a line):
        ``rows`` has the text columns ``record_id``, ``parent_id``, ``payload`` and ``request``, in
        arrival order (as a file loader builds them inside DuckDB)."""
        if rows.num_rows == 0:
            return 0
        table = self.ensure_table(table)
        pending = f"pending_{table}"
        self.con.execute(f"""
            CREATE TEMP TABLE IF NOT EXISTS {pending} (
                source VARCHAR, record_id VARCHAR, parent_id VARCHAR, payload VARCHAR,
                request VARCHAR, fetched_at TIMESTAMP, batch_id VARCHAR)""")
        self.con.register("_incoming_rows", rows)
        try:
            self.con.execute(
                f"""INSERT INTO {pending}
                    SELECT ?, record_id::VARCHAR, parent_id::VARCHAR, payload::VARCHAR, request::VARCHAR,
                           ?::TIMESTAMP, ?
                    FROM _incoming_rows""",
                [source, fetched_at or utc_now(), batch_id],
            )
        finally:
            self.con.unregister("_incoming_rows")
        self._pending[table] = self._pending.get(table, 0) + rows.num_rows
        return rows.num_rows

    def pending_count(self) -> int:
        return sum(self._pending.values())

    def checkpoint(
        self,
        cursors: Mapping[tuple[str, str], str] | None = None,
        loaded_files: Iterable[LoadedFile] = (),
    ) -> dict[str, int]:
        """Merge every pending page into ``raw``; store ``cursors`` and file watermarks with it.

        All in one transaction. Returns the number of rows that were new, per table.
        """
        landed: dict[str, int] = {}
        self.con.execute("BEGIN TRANSACTION")
        try:
            if self.gate is not None:
                for table in list(self._pending):
                    self.gate.screen(self.con, table, f"pending_{table}", utc_now())
            for table in list(self._pending):
                pending = f"pending_{table}"
                before = self._count(table)
                self.con.execute(f"""
                    INSERT INTO {RAW_SCHEMA}.{table}
                    WITH incoming AS (
                        SELECT *, md5(payload) AS payload_hash, row_number() OVER () AS arrival FROM {pending}
                    ),
                    latest AS (
                        SELECT r.source, r.record_id, arg_max(r.payload_hash, r.fetched_at) AS payload_hash
                        FROM {RAW_SCHEMA}.{table} r
                        SEMI JOIN (SELECT DISTINCT source, record_id FROM incoming) k
                          ON k.source = r.source AND k.record_id = r.record_id
                        GROUP BY r.source, r.record_id
                    ),
                    sequenced AS (
                        SELECT i.*, coalesce(
                            lag(i.payload_hash) OVER (
                                PARTITION BY i.source, i.record_id ORDER BY i.fetched_at, i.arrival),
                            l.payload_hash) AS previous_hash
                        FROM incoming i
                        LEFT JOIN latest l ON l.source = i.source AND l.record_id = i.record_id
                    )
                    SELECT source, record_id, parent_id, payload::JSON, payload_hash,
                           request, fetched_at, batch_id
                    FROM sequenced
                    WHERE previous_hash IS DISTINCT FROM payload_hash""")
                landed[table] = self._count(table) - before
                self.con.execute(f"DELETE FROM {pending}")
            for (source, entity), value in (cursors or {}).items():
                self._write_cursor(source, entity, value)
            for file in loaded_files:
                self.con.execute(
                    f"INSERT OR REPLACE INTO {META_SCHEMA}.loaded_files VALUES (?, ?, ?, ?, ?, ?)",
                    [file.source, file.file_name, file.sha256, utc_now(), file.batch_id, file.records],
                )
            self.con.execute("COMMIT")
        except BaseException:
            self.con.execute("ROLLBACK")
            raise
        self._pending.clear()
        return landed

    def discard_pending(self) -> None:
        for table in list(self._pending):
            self.con.execute(f"DELETE FROM pending_{table}")
        self._pending.clear()

    def _count(self, table: str) -> int:
        return self.con.execute(f"SELECT count(*) FROM {RAW_SCHEMA}.{table}").fetchone()[0]

    # -- cursors --------------------------------------------------------------------------------
    def cursor(self, source: str, entity: str) -> str | None:
        row = self.con.execute(
            f"SELECT cursor_value FROM {META_SCHEMA}.cursors WHERE source = ? AND entity = ?",
            [source, entity],
        ).fetchone()
        return row[0] if row else None

    def _write_cursor(self, source: str, entity: str, value: str) -> None:
        self.con.execute(
            f"INSERT OR REPLACE INTO {META_SCHEMA}.cursors VALUES (?, ?, ?, ?)",
            [source, entity, value, utc_now()],
        )

    # -- batches --------------------------------------------------------------------------------
    def start_batch(self, source: str, source_kind: str) -> str:
        batch_id = f"{source_kind}-{utc_now():%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
        self.con.execute(
            f"INSERT INTO {META_SCHEMA}.batches VALUES (?, ?, ?, ?, NULL, 'running', 0, 0, NULL)",
            [batch_id, source, source_kind, utc_now()],
        )
        self.batch_ids.append(batch_id)
        self._cursors_at_start[batch_id] = self.con.execute(
            f"SELECT * FROM {META_SCHEMA}.cursors WHERE source = ?", [source]
        ).fetchall()
        return batch_id

    @contextmanager
    def batch(self, source: str, source_kind: str, tally: Callable[[], tuple[int, int]]) -> Iterator[str]:
        """A batch's lifecycle around the extraction inside the ``with``: it succeeds when the block
        ends, or fails with the exception's message (pending rows discarded, the exception re-raised).
        ``tally`` gives (records received, records landed) when the batch ends."""
        batch_id = self.start_batch(source, source_kind)
        try:
            yield batch_id
        except BaseException as exc:
            self.discard_pending()
            self.finish_batch(batch_id, "failed", *tally(), f"{type(exc).__name__}: {exc}")
            raise
        self.finish_batch(batch_id, "succeeded", *tally())

    def finish_batch(
        self, batch_id: str, status: str, received: int, landed: int, message: str | None = None
    ) -> str:
        """Record how the batch ended; with a gate, a succeeded batch is checked first and may be held.
        Returns the final status."""
        if status == "succeeded" and self.gate is not None:
            source, kind = self.con.execute(
                f"SELECT source, source_kind FROM {META_SCHEMA}.batches WHERE batch_id = ?", [batch_id]
            ).fetchone()
            reason = self.gate.close_batch(self.con, batch_id, source, kind, utc_now())
            if reason:
                self.gate.hold(
                    self.con, batch_id, reason, self._cursors_at_start.get(batch_id, []), source, utc_now()
                )
                status, message = "quarantined", reason
        self.con.execute(
            f"""UPDATE {META_SCHEMA}.batches
                SET finished_at = ?, status = ?, records_received = ?, records_landed = ?, message = ?
                WHERE batch_id = ?""",
            [utc_now(), status, received, landed, message, batch_id],
        )
        return status

    # -- files ----------------------------------------------------------------------------------
    def file_loaded(self, source: str, file_name: str, sha256: str) -> bool:
        return (
            self.con.execute(
                f"SELECT count(*) FROM {META_SCHEMA}.loaded_files "
                "WHERE source = ? AND file_name = ? AND sha256 = ?",
                [source, file_name, sha256],
            ).fetchone()[0]
            > 0
        )
