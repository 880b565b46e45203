"""Publishing the marts: readers see a complete, checked set or the previous one, never a mix.

The pipeline builds and tests the marts in the working database, which only it opens. Publishing
copies them (with their table and column comments) into a fresh DuckDB file next to the published
one and renames it over the old file in one atomic step. A reader that opened the old file keeps
reading it; the next connection sees the new one.
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path

import duckdb


@dataclass(frozen=True)
class PublishedTable:
    name: str
    rows: int


def _quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def publish_schema(
    con: duckdb.DuckDBPyConnection, published_path: Path, schema: str = "marts"
) -> list[PublishedTable]:
    """Copy every table of ``schema`` into a new file and atomically replace ``published_path``."""
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
    except BaseException:
        con.execute("DETACH publish_target")
        staging_path.unlink(missing_ok=True)
        raise
    con.execute("DETACH publish_target")
    os.replace(staging_path, published_path)
    return published


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
