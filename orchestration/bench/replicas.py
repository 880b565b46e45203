"""The benchmark's large sizes: a landed organisation copied inside DuckDB.

Landing a million flow items through the simulated APIs would be hours of loopback requests (one
per pull request for each of its commits, reviews and timeline), so past a base size the benchmark
lands the base organisation through the real extractors and then copies its raw rows: copy ``n``
(1 … factor − 1) is an organisation of its own, with

* its own source names (``demo-jira`` → ``demo-jira-r<n>``),
* its own Jira project keys (``PAY`` → ``PAY<n>``), so ``PAY-12`` becomes ``PAY<n>-12`` everywhere
  a key is written: issues, branch names, PR titles, commit messages, flag keys, product files,
* its own repositories (``acme/app`` → ``acme/app-r<n>``) and PagerDuty service ids
  (``PPAY001`` → ``PPAY001-r<n>``),

and the mapping seeds' rows that name a base source (or one of its repositories, services, flags)
copied to match. The payloads stay the wire format the extractors landed, so every model reads them
as it reads real data, and each copy's marts equal the base's (:func:`replica_mismatches`).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb

# seed columns that hold a source name, a repository, an issue or flag key, a service name
SOURCE_COLUMNS = ("source", "git_source", "github_source", "pagerduty_source")
RENAMED_COLUMNS = ("repository", "pagerduty_service_id")
KEYED_COLUMNS = ("issue_key", "flag_key")
NAME_COLUMNS = ("service",)


# How the copying connection stores what it writes: DuckDB's default string compression analyses
# every segment of the copied payloads (kilobytes of JSON each) and was most of the copying time;
# zstd wrote copies of the 5,000-item organisation's raw tables three times as fast and four times
# smaller, and the models read them as fast.
COPY_STORAGE = {"force_compression": "zstd"}

# Where a copy's number goes in a marked text (Replication.template_sql): control characters, which
# JSON payloads always escape and which ids, keys and request lines do not hold.
COPY_NUMBER = "chr(1)"
COPY_SUFFIX = "chr(2)"


def replica_name(name: str, copy: int) -> str:
    return f"{name}-r{copy}"


@dataclass(frozen=True)
class Replication:
    """How copy ``n`` of the base organisation renames what identifies it."""

    factor: int
    sources: tuple[str, ...]
    project_keys: tuple[str, ...]
    # names copied with a suffix wherever they are written: repositories, PagerDuty service ids
    renamed: tuple[str, ...]

    def __post_init__(self) -> None:
        if self.factor < 1:
            raise ValueError("a replication factor is at least 1 (the base organisation alone)")
        if not self.project_keys:
            raise ValueError("replication needs the Jira project keys to rename")

    @property
    def project_alternation(self) -> str:
        """The base project keys as one regular-expression alternation (``PAY|MOB``)."""
        return "|".join(re.escape(key) for key in self.project_keys)

    @property
    def key_pattern(self) -> str:
        """An issue key (or its lower-case form in branches and flag keys) of a base project, as the
        models find keys: not preceded by a letter or digit, nor by a JSON escape (``\\n`` in a
        payload's text is a line break)."""
        return f"(^|[^A-Za-z0-9]|\\\\[nrt])({self.project_alternation})-([0-9])"

    @property
    def project_pattern(self) -> str:
        """A project key on its own as a JSON value (``"key":"PAY"`` of an issue's project)."""
        return f'"key":"({self.project_alternation})"'

    def rewrite(self, text: str, copy: int) -> str:
        """``text`` as copy ``copy`` writes it (the Python twin of :meth:`template_sql` followed by
        :meth:`copy_sql`)."""
        text = re.sub(self.key_pattern, lambda m: f"{m[1]}{m[2]}{copy}-{m[3]}", text, flags=re.IGNORECASE)
        text = re.sub(self.project_pattern, lambda m: f'"key":"{m[1]}{copy}"', text)
        for name in self.renamed:
            text = text.replace(name, replica_name(name, copy))
        return text

    def template_sql(self, expression: str) -> str:
        """A DuckDB expression: ``expression`` (text) with a marker where a copy writes its number:
        :data:`COPY_NUMBER` after each base project key, :data:`COPY_SUFFIX` after each renamed
        name. The regular expressions run once per base row; :meth:`copy_sql` fills the markers in
        for each copy with plain replacements."""
        sql = f"regexp_replace({expression}, '{self.key_pattern}', '\\1\\2' || {COPY_NUMBER} || '-\\3', 'gi')"
        project = f"""'"key":"\\1' || {COPY_NUMBER} || '"'"""
        sql = f"regexp_replace({sql}, '{self.project_pattern}', {project}, 'g')"
        for name in self.renamed:
            sql = f"replace({sql}, '{name}', '{name}' || {COPY_SUFFIX})"
        return sql

    @staticmethod
    def copy_sql(template: str, copy: str) -> str:
        """A DuckDB expression: the text :meth:`template_sql` marked, as copy ``copy`` (an integer
        expression) writes it."""
        number = f"cast({copy} AS varchar)"
        return f"replace(replace({template}, {COPY_NUMBER}, {number}), {COPY_SUFFIX}, '-r' || {number})"


def raw_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        name
        for (name,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'raw' ORDER BY table_name"
        ).fetchall()
    ]


def replicate_raw(con: duckdb.DuckDBPyConnection, replication: Replication) -> dict[str, int]:
    """Append copies 1 … factor − 1 of the base sources' raw rows that no earlier call copied (so a
    refresh copies only what it landed), remembering their batches in ``meta.replicated_batches``;
    the rows added per table."""
    con.execute("CREATE TABLE IF NOT EXISTS meta.replicated_batches (batch_id VARCHAR PRIMARY KEY)")
    if replication.factor == 1:
        return {}
    # every raw row's batch is in meta.batches (the raw-table contract)
    batches = [
        batch
        for (batch,) in con.execute(
            """SELECT batch_id FROM meta.batches
               WHERE source IN (SELECT unnest($sources))
                 AND batch_id NOT IN (SELECT batch_id FROM meta.replicated_batches)""",
            {"sources": list(replication.sources)},
        ).fetchall()
    ]
    marked = {
        column: replication.template_sql(text)
        for column, text in {
            "record_id": "record_id",
            "parent_id": "parent_id",
            "payload": "cast(payload AS varchar)",
            "request": "request",
        }.items()
    }
    copied = {column: replication.copy_sql(f"marked_{column}", "copy") for column in marked}
    added = {}
    for table in raw_tables(con):
        (added[table],) = con.execute(
            f"""
            INSERT INTO raw.{table}
            SELECT source || '-r' || cast(copy AS varchar),
                   {copied["record_id"]}, {copied["parent_id"]},
                   {copied["payload"]}::JSON, payload_hash, {copied["request"]}, fetched_at, batch_id
            FROM (
                SELECT source, payload_hash, fetched_at, batch_id,
                       {", ".join(f"{sql} AS marked_{column}" for column, sql in marked.items())}
                FROM raw.{table}
                WHERE batch_id IN (SELECT unnest($batches)) AND source IN (SELECT unnest($sources))
            ), range(1, {replication.factor}) AS copies(copy)""",
            {"batches": batches, "sources": list(replication.sources)},
        ).fetchone()
    con.execute("INSERT INTO meta.replicated_batches SELECT unnest($batches)", {"batches": batches})
    return added


def _copied_row(row: dict[str, str], replication: Replication, copy: int) -> dict[str, str]:
    copied = dict(row)
    for column in SOURCE_COLUMNS:
        if row.get(column) in replication.sources:
            copied[column] = replica_name(row[column], copy)
    for column in NAME_COLUMNS:
        if row.get(column):
            copied[column] = replica_name(row[column], copy)
    for column in (*RENAMED_COLUMNS, *KEYED_COLUMNS):
        if row.get(column):
            copied[column] = replication.rewrite(row[column], copy)
    return copied


def _names_a_base_source(row: dict[str, str], replication: Replication) -> bool:
    return any(row.get(column) in replication.sources for column in SOURCE_COLUMNS)


def replicate_mappings(folder: Path, replication: Replication) -> dict[str, int]:
    """Copy every mapping seed row that names a base source, once per copy (a copy already there is
    not added again); rows added per seed."""
    added = {}
    for path in sorted(folder.glob("*.csv")):
        with path.open(newline="") as handle:
            reader = csv.DictReader(handle)
            fields = list(reader.fieldnames or [])
            rows = list(reader)
        present = {tuple(row.items()) for row in rows}
        candidates = (
            _copied_row(row, replication, copy)
            for copy in range(1, replication.factor)
            for row in rows
            if _names_a_base_source(row, replication)
        )
        copies = [copied for copied in candidates if tuple(copied.items()) not in present]
        if copies:
            with path.open("w", newline="") as handle:
                writer = csv.DictWriter(handle, fieldnames=fields)
                writer.writeheader()
                writer.writerows([*rows, *copies])
            added[path.stem] = len(copies)
    return added


def replication_for(settings, factor: int) -> Replication:
    """The replication of the organisation ``settings`` configures (its sources, projects,
    repositories and PagerDuty services)."""
    groups = (
        settings.jira,
        settings.git,
        settings.github,
        settings.pagerduty,
        settings.launchdarkly,
        settings.product_files,
    )
    return Replication(
        factor=factor,
        sources=tuple(source.name for group in groups for source in group),
        project_keys=tuple(key for jira in settings.jira for key in jira.projects),
        renamed=(
            *(repository for github in settings.github for repository in github.repositories),
            *(service for pagerduty in settings.pagerduty for service in pagerduty.service_ids),
        ),
    )


# marts whose rows belong to one source, service or repository, and the rows that do (dora_metrics'
# service '*' sums every service): each base row has factor − 1 copies
CHECKED_MARTS = {
    "flow_items": "true",
    "stage_durations": "true",
    "flow_item_links": "true",
    "pull_requests": "true",
    "deployments": "true",
    "change_lead_times": "true",
    "incidents": "true",
    "dora_metrics": "service <> '*'",
}
# doubles aggregated in parallel may differ in their last bits between copies
RELATIVE_TOLERANCE = 1e-9


def _as_base(column: str, replication: Replication) -> str:
    """SQL: text ``column`` with what names its copy taken out (copy ``n``'s value becomes the base's)."""
    copied_key = f"(^|[^A-Za-z0-9])({replication.project_alternation})[0-9]+"
    keys = f"regexp_replace({column}, '{copied_key}', '\\1\\2', 'gi')"
    return f"regexp_replace({keys}, '-r[0-9]+', '', 'g')"


def _mismatches(con: duckdb.DuckDBPyConnection, mart: str, rows: str, replication: Replication) -> int:
    """Rows of ``mart`` that, named as the base names them, do not occur exactly ``factor`` times
    (doubles: equal within a relative tolerance, every other column exactly)."""
    columns = con.execute(
        "SELECT column_name, data_type FROM duckdb_columns()"
        " WHERE schema_name = 'marts' AND table_name = ? ORDER BY column_index",
        [mart],
    ).fetchall()
    keys = [
        _as_base(f'"{name}"', replication) if kind == "VARCHAR" else f'"{name}"'
        for name, kind in columns
        if kind != "DOUBLE"
    ]
    spread = [
        f'max("{name}") - min("{name}") > {RELATIVE_TOLERANCE} * greatest(1, abs(max("{name}")))'
        for name, kind in columns
        if kind == "DOUBLE"
    ]
    return con.execute(f"""
        SELECT count(*) FROM (
            SELECT count(*) <> {replication.factor} {"".join(f" OR {check}" for check in spread)} AS differs
            FROM marts.{mart} WHERE {rows} GROUP BY {", ".join(keys)}
        ) WHERE differs""").fetchone()[0]


def replica_mismatches(
    con: duckdb.DuckDBPyConnection, replication: Replication, marts: dict[str, str] = CHECKED_MARTS
) -> dict[str, int]:
    """Per checked mart (name → the rows checked), the base rows whose copies differ from them (or
    are missing or extra): 0 everywhere when every copy's marts equal the base's."""
    return {mart: _mismatches(con, mart, rows, replication) for mart, rows in marts.items()}
