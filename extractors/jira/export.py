"""Jira JSON exports in files land exactly like API pages.

A folder may hold, in any mix:

* search pages (``{"issues": [...]}``, as ``/search/jql`` returns them), lists of issues, or single
  issues — issues may carry their history inline as ``changelog.histories`` (``expand=changelog``);
* bulk changelog pages (``{"issueChangeLogs": [...]}``);
* ``*.jsonl`` files with one issue per line;
* the reference lists ``status*.json``, ``issuetype*.json``, ``field*.json``.

Each file is loaded in its own checkpoint and remembered by name and checksum: loading the same
file again is a no-op, a changed file with the same name loads again. A malformed file is reported
with its name, line and column; the other files still land. In a ``*.jsonl`` file, a line that is not a
JSON object is staged as it is (record id ``<file>:<line>``), so the gate quarantines it with the rest of
the file landing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from extractors.common.http import SourceError
from extractors.common.raw_store import LoadedFile, RawRecord, RawStore, sha256_of_file
from extractors.jira.extract import CHANGELOGS, ISSUES, REFERENCE_TABLES, history_records, issue_record

log = logging.getLogger("streamgauge.jira.export")


@dataclass
class ExportLoadReport:
    source: str
    files_loaded: list[str] = field(default_factory=list)
    files_skipped: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    landed: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class UnreadableLine:
    """A line of a JSON-lines export that is not a JSON object: landed as text, for the gate to quarantine."""

    number: int
    text: str


def _position(text: bytes, offset: int) -> tuple[int, int]:
    line = text.count(b"\n", 0, offset) + 1
    column = offset - (text.rfind(b"\n", 0, offset) + 1) + 1
    return line, column


def parse_json_file(path: Path) -> Any:
    """A JSON document, or the documents of a JSON-lines file (a line that is not a JSON object as an
    :class:`UnreadableLine`); errors in a JSON file name line and column."""
    text = path.read_bytes()
    if path.suffix == ".jsonl":
        documents = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                document = orjson.loads(line)
            except orjson.JSONDecodeError:
                document = None
            readable = isinstance(document, dict)
            documents.append(document if readable else UnreadableLine(number, line.decode(errors="replace")))
        return documents
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        line, column = _position(text, exc.pos)
        raise SourceError(f"{path}: line {line}, column {column}: malformed JSON ({exc.msg})") from exc


def reference_table_for(path: Path) -> str | None:
    stem = path.stem.lower()
    for prefix, table in REFERENCE_TABLES.items():
        if stem.startswith(prefix):
            return table
    return None


def records_from_document(document: Any, path: Path, source: str) -> Iterator[tuple[str, RawRecord]]:
    """(table, record) pairs for one export document."""
    if isinstance(document, UnreadableLine):
        yield ISSUES, RawRecord(record_id=f"{path.name}:{document.number}", payload=document.text)
        return
    reference_table = reference_table_for(path)
    if reference_table:
        items = document if isinstance(document, list) else document.get("values", [])
        for item in items:
            yield reference_table, RawRecord(record_id=str(item.get("id") or item.get("key")), payload=item)
        return
    if isinstance(document, dict) and "issueChangeLogs" in document:
        for record in history_records(document, source):
            yield CHANGELOGS, record
        return
    if isinstance(document, dict) and "issues" in document:
        issues = document["issues"]
    elif isinstance(document, list):
        issues = document
    elif isinstance(document, dict) and "fields" in document:
        issues = [document]
    else:
        raise SourceError(f"{path}: not a Jira export (expected issues, a search page or bulk changelogs)")
    for issue in issues:
        yield ISSUES, issue_record(issue, source)
        histories = ((issue.get("changelog") or {}).get("histories")) or []
        inline = {"issueChangeLogs": [{"issueId": issue["id"], "changeHistories": histories}]}
        for record in history_records(inline, source):
            yield CHANGELOGS, record


def load_jira_export(
    store: RawStore,
    source: str,
    folder: Path,
    *,
    progress: Callable[[str], None] = log.info,
) -> ExportLoadReport:
    """Land every not-yet-loaded export file under ``folder``; raise at the end if any file was bad."""
    report = ExportLoadReport(source=source)
    files = sorted(p for p in Path(folder).rglob("*") if p.suffix in (".json", ".jsonl") and p.is_file())
    if not files:
        raise SourceError(f"jira export {source!r}: no .json or .jsonl files under {folder}")
    batch_id = store.start_batch(source, "jira_export")
    received = 0
    for path in files:
        name = str(path.relative_to(folder))
        checksum = sha256_of_file(path)
        if store.file_loaded(source, name, checksum):
            report.files_skipped.append(name)
            continue
        try:
            document = parse_json_file(path)
            documents = document if path.suffix == ".jsonl" else [document]
            by_table: dict[str, list[RawRecord]] = {}
            for doc in documents:
                for table, record in records_from_document(doc, path, source):
                    by_table.setdefault(table, []).append(record)
        except SourceError as exc:
            report.errors.append(str(exc))
            progress(f"jira export {source}: rejected {exc}")
            continue
        count = 0
        for table, records in by_table.items():
            count += store.stage(table, source, records, request=f"file {name}", batch_id=batch_id)
        received += count
        for table, landed in store.checkpoint(
            loaded_files=[LoadedFile(source, name, checksum, batch_id, count)]
        ).items():
            report.landed[table] = report.landed.get(table, 0) + landed
        report.files_loaded.append(name)
        progress(f"jira export {source}: {name}: {count} records")
    status = "failed" if report.errors else "succeeded"
    store.finish_batch(
        batch_id, status, received, sum(report.landed.values()), "; ".join(report.errors) or None
    )
    if report.errors:
        raise SourceError(
            f"jira export {source!r}: {len(report.errors)} file(s) rejected, "
            f"{len(report.files_loaded)} loaded: " + "; ".join(report.errors)
        )
    return report
