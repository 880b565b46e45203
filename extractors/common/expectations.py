"""The expectation suites in ``expectations/``: one Great Expectations suite per raw table.

A suite is JSON as Great Expectations serialises an ``ExpectationSuite`` (``name``, ``expectations``
with ``type``, ``kwargs`` and ``meta``, and the suite's ``meta``). streamgauge reads its part of the
suite's meta under ``streamgauge``:

``source_kinds``  the batch kinds (``meta.batches.source_kind``) that land the table
``record_id``     the payload field the raw ``record_id`` comes from (named in messages)
``projection``    DuckDB SQL flattening the checkpoint's records (the relation ``batch``: ``_row``,
                  ``source``, ``record_id``, ``parent_id``, ``payload`` as JSON) into typed columns;
                  ``{known:<table>}`` stands for every landed or pending record of another raw table
                  (``source``, ``record_id``, ``payload``). It must select ``_row`` and ``record_id``.
``expect_rows``   batch kinds whose every batch lands rows in the table (an empty one is held)

Every expectation's meta names its ``severity`` (``error``: the record is quarantined and the check
fails; ``warning``: reported only) and the payload ``field`` messages name.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

EXPECTATIONS_DIR = Path(__file__).resolve().parents[2] / "expectations"
SEVERITIES = ("error", "warning")
_KNOWN = re.compile(r"\{known:([a-z][a-z0-9_]*)\}")


@dataclass(frozen=True)
class Expectation:
    type: str
    kwargs: dict[str, Any]
    severity: str
    field: str
    detail: str

    @property
    def column(self) -> str:
        return self.kwargs["column"]


@dataclass(frozen=True)
class Suite:
    """One raw table's suite; :attr:`document` is the JSON as Great Expectations reads it."""

    table: str
    document: dict[str, Any]

    @cached_property
    def settings(self) -> dict[str, Any]:
        return self.document.get("meta", {}).get("streamgauge", {})

    @property
    def source_kinds(self) -> tuple[str, ...]:
        return tuple(self.settings.get("source_kinds", ()))

    @property
    def record_id_field(self) -> str:
        return self.settings.get("record_id", "id")

    @property
    def expect_rows(self) -> tuple[str, ...]:
        return tuple(self.settings.get("expect_rows", ()))

    @property
    def projection(self) -> str:
        return self.settings["projection"]

    @cached_property
    def expectations(self) -> tuple[Expectation, ...]:
        return tuple(
            Expectation(
                type=item["type"],
                kwargs=item["kwargs"],
                severity=item.get("meta", {}).get("severity", "error"),
                field=item.get("meta", {}).get("field", item["kwargs"].get("column", "")),
                detail=item.get("meta", {}).get("detail", ""),
            )
            for item in self.document.get("expectations", [])
        )

    def problems(self) -> list[str]:
        """What makes the suite unusable (empty when it is fine)."""
        found = []
        if self.document.get("name") != self.table:
            found.append(f"name {self.document.get('name')!r} is not the file's table {self.table!r}")
        for key in ("source_kinds", "projection"):
            if not self.settings.get(key):
                found.append(f"meta.streamgauge.{key} is missing")
        for expectation in self.expectations:
            if expectation.severity not in SEVERITIES:
                found.append(f"{expectation.type} on {expectation.field}: severity {expectation.severity!r}")
        return found


def load_suite(path: Path) -> Suite:
    return Suite(table=path.stem, document=json.loads(path.read_text()))


def load_suites(folder: Path = EXPECTATIONS_DIR) -> dict[str, Suite]:
    """Every suite of ``folder``, by raw table; raise naming what is wrong with any of them."""
    suites = {path.stem: load_suite(path) for path in sorted(Path(folder).glob("*.json"))}
    problems = [f"{folder / (table + '.json')}: {p}" for table, s in suites.items() for p in s.problems()]
    if problems:
        raise ValueError("invalid expectation suites:\n" + "\n".join(problems))
    return suites


def expand_known(sql: str, relation_of: Any) -> str:
    """Replace every ``{known:<table>}`` with ``relation_of(table)`` (a parenthesised subquery)."""
    return _KNOWN.sub(lambda match: relation_of(match.group(1)), sql)
