"""Publishing the marts: readers see a complete, checked set or the previous one, never a mix.

The pipeline builds and tests the marts in the working database, which only it opens. Publishing
copies them (with their table and column comments) into a fresh DuckDB file next to the published
one and renames it over the old file in one atomic step. A reader that opened the old file keeps
reading it; the next connection sees the new one.

Every published file also holds ``marts.publication``: one row per mart with the publication's id,
time, ``as_of`` and Dagster run id and the mart's row count, so a reader can tell which publication
it reads and check that every mart it read belongs to it.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

PUBLICATION_TABLE = "publication"

_PUBLICATION_COLUMNS = {
    "publication_id": ("VARCHAR", "Identifies the publication (a new UUID each time the file is replaced)."),
    "published_at": ("TIMESTAMP", "When the publication was written (UTC)."),
    "as_of": ("TIMESTAMP", "The build's fixed as_of (UTC) the marts were computed at; NULL when unknown."),
    "dagster_run_id": ("VARCHAR", "The Dagster run that published the file; NULL outside Dagster."),
    "mart": ("VARCHAR", "A published table of schema marts."),
    "row_count": ("BIGINT", "Rows of that mart in this publication."),
}
_PUBLICATION_COMMENT = (
    "One row per mart of this file: which publication it belongs to and its row count. Every row "
    "carries the same publication_id; a mart's count(*) equals its row_count."
)


@dataclass(frozen=True)
class PublishedTable:
    name: str
    rows: int


@dataclass(frozen=True)
class Publication:
    """What identifies one publication of the marts."""

    as_of: datetime | None = None
    run_id: str | None = None
    publication_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    published_at: datetime = field(default_factory=lambda: datetime.now(UTC))


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _naive_utc(moment: datetime | None) -> datetime | None:
    if moment is None or moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def publish_schema(
    con: duckdb.DuckDBPyConnection,
    published_path: Path,
    schema: str = "marts",
    publication: Publication | None = None,
) -> list[PublishedTable]:
    """Copy every table of ``schema`` into a new file with its ``publication`` table and atomically
    replace ``published_path``."""
    publication = publication or Publication()
    published_path.parent.mkdir(parents=True, exist_ok=True)
    staging_path = published_path.with_name(f".{published_path.name}.{uuid.uuid4().hex}.tmp")
    tables = [
        row[0]
        for row in con.execute(
            "SELECT table_name FROM duckdb_tables() "
            "WHERE database_name = current_database() AND schema_name = ? "
            "ORDER BY table_name",
            [schema],
        ).fetchall()
    ]
    if PUBLICATION_TABLE in tables:
        raise ValueError(f"{schema}.{PUBLICATION_TABLE} is reserved for the publication record")
    con.execute(f"ATTACH {_literal(str(staging_path))} AS publish_target")
    published = []
    try:
        con.execute(f"CREATE SCHEMA publish_target.{_quote(schema)}")
        for table in tables:
            source, target = (
                f"{_quote(schema)}.{_quote(table)}",
                f"publish_target.{_quote(schema)}.{_quote(table)}",
            )
            con.execute(f"CREATE TABLE {target} AS SELECT * FROM {source}")
            _copy_comments(con, schema, table, target)
            rows = con.execute(f"SELECT count(*) FROM {target}").fetchone()[0]
            published.append(PublishedTable(table, rows))
        _write_publication(
            con, f"publish_target.{_quote(schema)}.{_quote(PUBLICATION_TABLE)}", publication, published
        )
    except BaseException:
        con.execute("DETACH publish_target")
        staging_path.unlink(missing_ok=True)
        raise
    con.execute("DETACH publish_target")
    os.replace(staging_path, published_path)
    return published


def _write_publication(
    con: duckdb.DuckDBPyConnection, target: str, publication: Publication, tables: list[PublishedTable]
) -> None:
    columns = ", ".join(
        f"{_quote(name)} {data_type}" for name, (data_type, _) in _PUBLICATION_COLUMNS.items()
    )
    con.execute(f"CREATE TABLE {target} ({columns})")
    header = (
        publication.publication_id,
        _naive_utc(publication.published_at),
        _naive_utc(publication.as_of),
        publication.run_id,
    )
    if tables:
        con.executemany(
            f"INSERT INTO {target} VALUES (?, ?, ?, ?, ?, ?)", [(*header, t.name, t.rows) for t in tables]
        )
    con.execute(f"COMMENT ON TABLE {target} IS {_literal(_PUBLICATION_COMMENT)}")
    for name, (_, text) in _PUBLICATION_COLUMNS.items():
        con.execute(f"COMMENT ON COLUMN {target}.{_quote(name)} IS {_literal(text)}")


def _copy_comments(con: duckdb.DuckDBPyConnection, schema: str, table: str, target: str) -> None:
    comment = con.execute(
        "SELECT comment FROM duckdb_tables() WHERE database_name = current_database() "
        "AND schema_name = ? AND table_name = ?",
        [schema, table],
    ).fetchone()
    if comment and comment[0]:
        con.execute(f"COMMENT ON TABLE {target} IS {_literal(comment[0])}")
    for column, text in con.execute(
        "SELECT column_name, comment FROM duckdb_columns() WHERE database_name = current_database() "
        "AND schema_name = ? AND table_name = ? AND comment IS NOT NULL",
        [schema, table],
    ).fetchall():
        con.execute(f"COMMENT ON COLUMN {target}.{_quote(column)} IS {_literal(text)}")
