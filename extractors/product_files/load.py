"""Loading product files into ``raw``: one raw row per record, the file and line in ``request``.

Each file is loaded in its own checkpoint and remembered by name (``<kind>/<path under the
folder>``) and checksum: loading the same file again is a no-op, a changed file with the same name
(a monthly export that grew) loads again — its unchanged records land nothing, changed ones land as
new versions. A malformed file is rejected with its name, line and column; the other files still land,
and the load fails at the end naming every rejected file.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from extractors.common.http import SourceError
from extractors.common.raw_store import LoadedFile, RawStore, sha256_of_file
from extractors.product_files.config import ProductFilesConfig
from extractors.product_files.kinds import KINDS, FileKind
from extractors.product_files.readers import read_records

log = logging.getLogger("streamgauge.product_files")


@dataclass
class ProductFilesReport:
    source: str
    files_loaded: list[str] = field(default_factory=list)
    files_skipped: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    records: int = 0
    landed: dict[str, int] = field(default_factory=dict)


def files_of(kind: FileKind, path: Path) -> list[tuple[str, Path]]:
    """(name, file) pairs: every file of the kind under a folder (sorted), or the file itself."""
    if path.is_file():
        return [(f"{kind.kind}/{path.name}", path)]
    if not path.is_dir():
        raise SourceError(f"{kind.kind} files: {path} does not exist")
    found = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in kind.extensions)
    return [(f"{kind.kind}/{p.relative_to(path).as_posix()}", p) for p in found]


def load_product_files(
    store: RawStore,
    config: ProductFilesConfig,
    *,
    progress: Callable[[str], None] = log.info,
) -> ProductFilesReport:
    """Land every not-yet-loaded file of ``config``; raise at the end if any file was rejected."""
    source = config.name
    report = ProductFilesReport(source=source)
    if not config.paths():
        raise SourceError(f"product files {source!r}: no folder or file configured")
    batch_id = store.start_batch(source, "product_files")
    for kind_name, path in config.paths():
        kind = KINDS[kind_name]
        store.ensure_table(kind.table)
        try:
            files = files_of(kind, path)
        except SourceError as exc:
            report.errors.append(str(exc))
            continue
        for name, file in files:
            checksum = sha256_of_file(file)
            if store.file_loaded(source, name, checksum):
                report.files_skipped.append(name)
                continue
            try:
                rows = read_records(store.con, kind, file, name)
            except SourceError as exc:
                report.errors.append(str(exc))
                progress(f"product files {source}: rejected {exc}")
                continue
            count = store.stage_rows(kind.table, source, rows, batch_id=batch_id)
            report.records += count
            landed = store.checkpoint(loaded_files=[LoadedFile(source, name, checksum, batch_id, count)])
            for table, n in landed.items():
                report.landed[table] = report.landed.get(table, 0) + n
            report.files_loaded.append(name)
            progress(f"product files {source}: {name}: {count} records, {sum(landed.values())} new")
    store.finish_batch(
        batch_id,
        "failed" if report.errors else "succeeded",
        report.records,
        sum(report.landed.values()),
        "; ".join(report.errors) or None,
    )
    if report.errors:
        raise SourceError(
            f"product files {source!r}: {len(report.errors)} file(s) rejected, "
            f"{len(report.files_loaded)} loaded: " + "; ".join(report.errors)
        )
    return report
