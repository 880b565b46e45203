"""Reading one product file inside DuckDB: CSV (``read_csv`` with explicit column types, rejected
values reported by line and column), Parquet (``read_parquet``, values cast to the expected types) and
JSON lines (``read_json``), then checking every record and building one raw row per record:
``record_id``, ``parent_id``, ``payload`` (the record's known columns, typed, as JSON) and ``request``
(``file <name> line <n>``, or ``row <n>`` for Parquet).

Any problem raises :class:`~extractors.common.http.SourceError` naming the file, the line (or row) and
the column; nothing of that file is kept.
"""

from __future__ import annotations

import csv
import uuid
from pathlib import Path

import duckdb
import orjson
import pyarrow as pa

from extractors.common.http import SourceError
from extractors.product_files.kinds import Column, FileKind


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _ident(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _first_line(message: str) -> str:
    return str(message).strip().splitlines()[0] if str(message).strip() else type(message).__name__


class _Reader:
    """One file of one kind, read through ``con`` into a temporary table of typed records."""

    def __init__(self, con: duckdb.DuckDBPyConnection, kind: FileKind, path: Path, name: str):
        self.con, self.kind, self.path, self.name = con, kind, path, name
        tag = uuid.uuid4().hex[:10]
        self.typed = f"_pf_typed_{tag}"
        self.scratch = f"_pf_scratch_{tag}"
        self.rejects = (f"_pf_rejects_{tag}", f"_pf_scan_{tag}")
        self.present: dict[str, tuple[int | str, str]] = {}  # canonical → (position, name in the file)
        self.temporary: list[str] = []

    def fail(self, where: str, message: str) -> SourceError:
        return SourceError(f"{self.name}: {where}: {message}")

    # -- columns ----------------------------------------------------------------------------------
    def match_columns(self, names: list[str], where: str) -> dict[int, Column]:
        """Positions (1-based) of the known columns; a missing required column is an error."""
        lookup = {alias: c for c in self.kind.columns for alias in c.names()}
        found: dict[int, Column] = {}
        for position, raw in enumerate(names, start=1):
            column = lookup.get(raw.strip().lower())
            if column is None:
                continue
            if column.name in self.present:
                first = self.present[column.name]
                raise self.fail(
                    f"{where}, column {position}", f"column {raw!r} repeats column {first[0]} ({first[1]!r})"
                )
            self.present[column.name] = (position, raw)
            found[position] = column
        missing = [c.name for c in self.kind.columns if c.required and c.name not in self.present]
        if missing:
            raise self.fail(
                where,
                f"missing required column(s) {', '.join(missing)} (the file has "
                f"{', '.join(repr(n) for n in names) or 'none'})",
            )
        return found

    # -- formats ----------------------------------------------------------------------------------
    def read(self) -> None:
        suffix = self.path.suffix.lower()
        if suffix == ".csv":
            self.read_csv()
        elif suffix == ".parquet":
            self.read_parquet()
        elif suffix in (".jsonl", ".ndjson"):
            self.read_jsonl()
        else:
            raise self.fail("file", f"unsupported file type {suffix!r}")

    def read_csv(self) -> None:
        with self.path.open(newline="", encoding="utf-8-sig") as handle:
            try:
                header = next(csv.reader(handle), None)
            except (csv.Error, UnicodeDecodeError) as exc:
                raise self.fail("line 1", f"unreadable header ({exc})") from exc
        if not header:
            raise self.fail("line 1", "the file is empty (a header line is expected)")
        columns = self.match_columns(header, "line 1")
        spec = ", ".join(
            f"{_literal(columns[p].name if p in columns else f'_extra_{p}')}: "
            f"{_literal(columns[p].read_type if p in columns else 'VARCHAR')}"
            for p in range(1, len(header) + 1)
        )
        rejects_table, rejects_scan = self.rejects
        self.temporary += [rejects_table, rejects_scan]
        try:
            self.con.execute(f"""
                CREATE TEMP TABLE {self.scratch} AS
                SELECT row_number() OVER () AS ordinal, *
                FROM read_csv({_literal(str(self.path))}, header = true, delim = ',', quote = '"',
                              escape = '"', auto_detect = false, columns = {{{spec}}},
                              store_rejects = true, rejects_table = {_literal(rejects_table)},
                              rejects_scan = {_literal(rejects_scan)})""")
        except duckdb.Error as exc:
            raise self.fail("file", f"unreadable CSV ({_first_line(exc)})") from exc
        self.temporary.append(self.scratch)
        rejected = self.con.execute(f"""
            SELECT line, column_idx, column_name, error_type, error_message
            FROM {rejects_table} ORDER BY line, column_idx LIMIT 1""").fetchall()
        if rejected:
            line, column_idx, column_name, _error_type, message = rejected[0]
            # DuckDB names the column it read under; its position is where that name sits in the header
            names = [columns[p].name if p in columns else f"_extra_{p}" for p in range(1, len(header) + 1)]
            position = names.index(column_name) + 1 if column_name in names else column_idx
            original = header[position - 1] if position and 0 < position <= len(header) else column_name
            raise self.fail(f"line {line}, column {position} ({original.strip()})", _first_line(message))
        self.make_typed(
            {c.name: (c, _ident(c.name)) for c in columns.values()}, "'line ' || (ordinal + 1)", convert=False
        )

    def read_parquet(self) -> None:
        try:
            schema = self.con.execute(
                f"DESCRIBE SELECT * FROM read_parquet({_literal(str(self.path))})"
            ).fetchall()
        except duckdb.Error as exc:
            raise self.fail("file", f"not a readable Parquet file ({_first_line(exc)})") from exc
        names = [row[0] for row in schema]
        columns = self.match_columns(names, "schema")
        self.con.execute(f"""
            CREATE TEMP TABLE {self.scratch} AS
            SELECT file_row_number + 1 AS ordinal, *
            FROM read_parquet({_literal(str(self.path))}, file_row_number = true)""")
        self.temporary.append(self.scratch)
        self.make_typed(
            {c.name: (c, _ident(names[p - 1])) for p, c in columns.items()}, "'row ' || ordinal", convert=True
        )

    def read_jsonl(self) -> None:
        text = self.path.read_bytes()
        lines = [n for n, line in enumerate(text.split(b"\n"), start=1) if line.strip()]
        known = [alias for c in self.kind.columns for alias in c.names()]
        spec = ", ".join(f"{_literal(name)}: 'VARCHAR'" for name in known)
        try:
            self.con.execute(f"""
                CREATE TEMP TABLE {self.scratch} AS
                SELECT row_number() OVER () AS ordinal, *
                FROM read_json({_literal(str(self.path))}, format = 'newline_delimited',
                               columns = {{{spec}}})""")
        except duckdb.Error as exc:
            self.locate_json_error(text)
            raise self.fail("file", f"unreadable JSON lines ({_first_line(exc)})") from exc
        self.temporary.append(self.scratch)
        count = self.con.execute(f"SELECT count(*) FROM {self.scratch}").fetchall()[0][0]
        if count != len(lines):
            raise self.fail(
                "file", f"{count} records on {len(lines)} non-blank lines; one JSON object per line"
            )
        for c in self.kind.columns:  # a key counts as present when any record has it
            for alias in c.names():
                has = self.con.execute(f"SELECT count({_ident(alias)}) FROM {self.scratch}").fetchall()[0][0]
                if has and c.name not in self.present:
                    self.present[c.name] = (alias, alias)
        missing = [c.name for c in self.kind.columns if c.required and c.name not in self.present]
        if missing:
            raise self.fail("file", f"no record has the required field(s) {', '.join(missing)}")
        sources = {
            c.name: (c, f"coalesce({', '.join(_ident(a) for a in c.names())})")
            for c in self.kind.columns
            if c.name in self.present
        }
        numbers = pa.table(
            {"ordinal": pa.array(range(1, count + 1), pa.int64()), "line": pa.array(lines, pa.int64())}
        )
        view = f"{self.scratch}_lines"
        self.con.register(view, numbers)
        try:
            self.con.execute(f"""
                CREATE OR REPLACE TEMP TABLE {self.scratch} AS
                SELECT s.*, v.line AS _line FROM {self.scratch} AS s JOIN {view} AS v USING (ordinal)""")
        finally:
            self.con.unregister(view)
        self.make_typed(sources, "'line ' || _line", convert=True)

    def locate_json_error(self, text: bytes) -> None:
        for number, line in enumerate(text.split(b"\n"), start=1):
            if not line.strip():
                continue
            try:
                value = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                raise self.fail(f"line {number}, column {exc.colno}", f"malformed JSON ({exc.msg})") from exc
            if not isinstance(value, dict):
                raise self.fail(f"line {number}, column 1", "not a JSON object")

    # -- typed records ----------------------------------------------------------------------------
    def make_typed(self, sources: dict[str, tuple[Column, str]], location: str, *, convert: bool) -> None:
        """``typed``: ordinal, location and the known columns at their types. With ``convert`` the
        values are cast here (Parquet, JSON lines), and a value that does not cast is an error."""
        selects = []
        for name, (column, expr) in sources.items():
            value = f"TRY_CAST({expr} AS {column.read_type})" if convert else expr
            selects.append(f"{value} AS {_ident(name)}")
            if convert:
                selects.append(f"CAST({expr} AS VARCHAR) AS {_ident('_raw_' + name)}")
        for column in self.kind.columns:  # absent optional columns read as NULL
            if column.name not in sources:
                selects.append(f"CAST(NULL AS {column.read_type}) AS {_ident(column.name)}")
        self.con.execute(f"""
            CREATE TEMP TABLE {self.typed} AS
            SELECT ordinal, {location} AS location, {", ".join(selects)}
            FROM {self.scratch} ORDER BY ordinal""")
        self.temporary.append(self.typed)
        if convert:
            for name, (column, _expr) in sources.items():
                row = self.con.execute(f"""
                    SELECT location, {_ident("_raw_" + name)} FROM {self.typed}
                    WHERE {_ident("_raw_" + name)} IS NOT NULL AND {_ident(name)} IS NULL
                    ORDER BY ordinal LIMIT 1""").fetchall()
                if row:
                    raise self.fail(
                        f"{row[0][0]}, {self.column_label(name)}",
                        f"{row[0][1]!r} is not a {column.read_type.lower()}",
                    )

    def column_label(self, name: str) -> str:
        position, original = self.present[name]
        if isinstance(position, int):
            return f"column {position} ({original})"
        return f"column {original!r}"

    def check(self) -> None:
        """Required values present, values within their range, one record per record id."""
        problems = []
        for column in self.kind.columns:
            if column.name not in self.present:
                continue
            c = _ident(column.name)
            conditions = []
            if column.required:
                conditions.append((f"{c} IS NULL", "is missing"))
            if column.check:
                conditions.append((f"{c} IS NOT NULL AND NOT ({column.check.format(c=c)})", column.problem))
            if column.sql_type == "TIMESTAMP_ISO":
                conditions.append(
                    (
                        f"{c} IS NOT NULL AND TRY_CAST({c} AS TIMESTAMPTZ) IS NULL",
                        "is not an ISO 8601 timestamp",
                    )
                )
            for condition, problem in conditions:
                row = self.con.execute(f"""
                    SELECT ordinal, location, CAST({c} AS VARCHAR) FROM {self.typed}
                    WHERE {condition} ORDER BY ordinal LIMIT 1""").fetchall()
                if row:
                    row = row[0]
                    shown = "the value" if row[2] is None else f"{row[2]!r}"
                    problems.append(
                        (row[0], f"{row[1]}, {self.column_label(column.name)}", f"{shown} {problem}")
                    )
        if problems:
            _, where, message = min(problems)
            raise self.fail(where, message)
        duplicate = self.con.execute(f"""
            SELECT location, first_location FROM (
                SELECT ordinal, location, first_value(location) OVER (
                    PARTITION BY {self.kind.record_id} ORDER BY ordinal) AS first_location,
                    row_number() OVER (PARTITION BY {self.kind.record_id} ORDER BY ordinal) AS nth
                FROM {self.typed}) WHERE nth > 1 ORDER BY ordinal LIMIT 1""").fetchall()
        if duplicate:
            where, first = duplicate[0]
            raise self.fail(where, f"repeats the record of {first} (same {self.identity()})")

    def identity(self) -> str:
        return {
            "usage": "date and feature_key",
            "nps": "response",
            "declared_values": "issue_key",
            "feature_usage": "key",
        }.get(self.kind.kind, "record")

    def records(self) -> pa.Table:
        fields = []
        for column in self.kind.columns:
            if column.name not in self.present:
                continue
            c = _ident(column.name)
            value = f"strftime({c}, '%Y-%m-%d')" if column.sql_type == "DATE" else c
            fields.append(f"{_literal(column.name)}, {value}")
        return self.con.sql(f"""
            SELECT {self.kind.record_id} AS record_id, {self.kind.parent_id} AS parent_id,
                   CAST(json_object({", ".join(fields)}) AS VARCHAR) AS payload,
                   {_literal("file " + self.name + " ")} || location AS request
            FROM {self.typed} ORDER BY ordinal""").to_arrow_table()

    def close(self) -> None:
        for table in self.temporary:
            self.con.execute(f"DROP TABLE IF EXISTS {table}")


def read_records(con: duckdb.DuckDBPyConnection, kind: FileKind, path: Path, name: str) -> pa.Table:
    """The raw rows of one file (``record_id, parent_id, payload, request``), checked; ``name`` is
    how messages and requests call the file."""
    reader = _Reader(con, kind, Path(path), name)
    try:
        reader.read()
        reader.check()
        return reader.records()
    finally:
        reader.close()
