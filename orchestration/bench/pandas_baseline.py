"""Baseline (a): the value-stream tutorials' pandas recipe for time per stage, written correctly.

Every raw payload is parsed in Python, the status changes are grouped per ticket with pandas and
each ticket's history is walked in Python: the same definitions as ``marts.stage_durations`` (latest
record versions, live story-level items, intervals clipped to the lead span, visits = runs of one
stage), so the benchmark can check that it agrees with the marts.

The recipe holds every payload it parses in memory (about 15 KB per raw issue row at 100,000 flow
items), so past ``ISSUE_ROWS_PER_PASS`` raw issue rows it walks the tickets in passes: each pass
reads whole tickets (their issue rows, tombstones and changelogs), chosen by a hash of the issue id.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb
import pandas as pd

HOUR = pd.Timedelta(hours=1)
ISSUE_ROWS_PER_PASS = 250_000


@dataclass(frozen=True)
class _Pass:
    """The tickets whose issue id hashes to ``part`` modulo ``count``."""

    count: int
    part: int

    def where(self, issue_id: str) -> str:
        """SQL: the row's ticket (its issue id in column ``issue_id``) is in this pass."""
        return "true" if self.count == 1 else f"hash({issue_id}) % {self.count} = {self.part}"


def _passes(con: duckdb.DuckDBPyConnection, issue_rows_per_pass: int) -> list[_Pass]:
    (issue_rows,) = con.execute("SELECT count(*) FROM raw.jira_issues").fetchone()
    count = max(1, -(-issue_rows // issue_rows_per_pass))
    return [_Pass(count, part) for part in range(count)]


def _latest(
    con: duckdb.DuckDBPyConnection, table: str, columns: str, tickets: _Pass, issue_id: str = "record_id"
) -> pd.DataFrame:
    """The latest version of each record of ``table`` (``columns`` of it) in the pass ``tickets``."""
    frame = con.execute(
        f"SELECT {columns}, fetched_at, payload_hash FROM raw.{table} WHERE {tickets.where(issue_id)}"
    ).df()
    frame = frame.sort_values(["fetched_at", "payload_hash"], ascending=False)
    return frame.drop_duplicates(["source", "record_id"])


def _timestamp(text: str) -> pd.Timestamp:
    return pd.Timestamp(datetime.fromisoformat(text).astimezone(UTC).replace(tzinfo=None))


def _flow_items(con: duckdb.DuckDBPyConnection, tickets: _Pass) -> pd.DataFrame:
    issues = _latest(con, "jira_issues", "source, record_id, payload", tickets)
    tombstones = _latest(con, "jira_tombstones", "source, record_id", tickets)
    deleted = issues.merge(tombstones, on=["source", "record_id"], suffixes=("", "_t"))
    deleted = set(deleted.loc[deleted.fetched_at_t >= deleted.fetched_at, "record_id"])
    types = con.execute(
        "SELECT source, issue_type_id, lower(issue_type_name) AS name, hierarchy_level "
        "FROM mappings.issue_type_mapping WHERE label IS NULL ORDER BY source = '*'"
    ).fetchall()
    rows = []
    for source, issue_id, payload in issues[["source", "record_id", "payload"]].itertuples(index=False):
        if issue_id in deleted:
            continue
        fields = json.loads(payload)["fields"]
        kind = fields["issuetype"]
        level = next(
            (
                level
                for rule_source, type_id, name, level in types
                if rule_source in (source, "*")
                and (type_id == kind.get("id") or (type_id is None and name == kind["name"].lower()))
            ),
            None,
        )
        if level == "story":
            rows.append((source, issue_id, _timestamp(fields["created"]), fields["status"]["id"]))
    return pd.DataFrame(rows, columns=["source", "issue_id", "created_at", "status_id"])


def _status_changes(con: duckdb.DuckDBPyConnection, tickets: _Pass) -> pd.DataFrame:
    histories = _latest(con, "jira_changelogs", "source, record_id, parent_id, payload", tickets, "parent_id")
    rows = []
    for source, record_id, issue_id, payload in histories[
        ["source", "record_id", "parent_id", "payload"]
    ].itertuples(index=False):
        history = json.loads(payload)
        history_id = history.get("id") or record_id
        number = int(history_id) if str(history_id).isdigit() else None
        for index, item in enumerate(history.get("items", [])):
            field_id = item.get("fieldId")
            if field_id == "status" or (field_id is None and str(item.get("field", "")).lower() == "status"):
                rows.append(
                    (
                        source,
                        issue_id,
                        _timestamp(history["created"]),
                        number,
                        history_id,
                        index,
                        item.get("from"),
                        item.get("to"),
                    )
                )
    columns = ["source", "issue_id", "changed_at", "number", "history_id", "index", "from_id", "to_id"]
    return pd.DataFrame(rows, columns=columns)


class _StatusRules:
    """status_flow_mapping: source-specific rules first, then the latest valid_from."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.rules: dict[str, list[tuple]] = {}
        for row in con.execute("""
            SELECT status_id, source, flow_state, stage, valid_from, valid_to
            FROM mappings.status_flow_mapping
            ORDER BY source = '*', valid_from DESC NULLS LAST""").fetchall():
            self.rules.setdefault(row[0], []).append(row[1:])

    def state_and_stage(
        self, source: str, status_id: str, entered_at: pd.Timestamp
    ) -> tuple[str, str | None]:
        day = entered_at.date()
        for rule_source, state, stage, valid_from, valid_to in self.rules.get(status_id, []):
            if (
                rule_source in (source, "*")
                and (valid_from is None or day >= valid_from)
                and (valid_to is None or day < valid_to)
            ):
                return state, (None if state in ("ignore", "canceled") else stage)
        raise ValueError(f"unmapped status {status_id} ({source})")


def _ticket_stages(item, changes: pd.DataFrame | None, rules: _StatusRules, as_of: pd.Timestamp):
    """One ticket's [(stage, hours, visits)], walking its status intervals in order."""
    if changes is None or changes.empty:
        entered, statuses, exits = [item.created_at], [item.status_id], [None]
    else:
        entered = [item.created_at, *changes.changed_at]
        statuses = [changes.from_id.iloc[0], *changes.to_id]
        exits = [*changes.changed_at, None]
    states = [rules.state_and_stage(item.source, s, e) for s, e in zip(statuses, entered, strict=True)]
    span_end = as_of
    last_state = states[-1][0]
    if last_state in ("done", "canceled"):
        run_start = len(states) - 1
        while run_start > 0 and states[run_start - 1][0] == last_state:
            run_start -= 1
        span_end = entered[run_start]
    totals: dict[str, list] = {}
    previous = None
    for (_, stage), start, end in zip(states, entered, exits, strict=True):
        end = as_of if end is None else end
        if stage is None or end < start:
            continue
        hours = (min(end, span_end) - max(start, item.created_at)) / HOUR
        if hours <= 0:
            continue
        entry = totals.setdefault(stage, [0.0, 0])
        entry[0] += hours
        entry[1] += stage != previous
        previous = stage
    return [(stage, hours, visits) for stage, (hours, visits) in totals.items()]


def _stage_durations_of(
    con: duckdb.DuckDBPyConnection, tickets: _Pass, rules: _StatusRules, moment: pd.Timestamp
) -> list[tuple]:
    items = _flow_items(con, tickets)
    changes = _status_changes(con, tickets).sort_values(["changed_at", "number", "history_id", "index"])
    per_ticket = dict(iter(changes.groupby(["source", "issue_id"], sort=False)))
    return [
        (f"{item.source}:{item.issue_id}", stage, hours, visits)
        for item in items.itertuples(index=False)
        for stage, hours, visits in _ticket_stages(
            item, per_ticket.get((item.source, item.issue_id)), rules, moment
        )
    ]


def stage_durations(
    con: duckdb.DuckDBPyConnection, as_of: datetime, issue_rows_per_pass: int = ISSUE_ROWS_PER_PASS
) -> pd.DataFrame:
    """flow_item_id, stage, duration_hours, visit_count for every visited stage."""
    rules = _StatusRules(con)
    moment = pd.Timestamp(as_of.astimezone(UTC).replace(tzinfo=None))
    rows = [
        row
        for tickets in _passes(con, issue_rows_per_pass)
        for row in _stage_durations_of(con, tickets, rules, moment)
    ]
    return pd.DataFrame(rows, columns=["flow_item_id", "stage", "duration_hours", "visit_count"])
