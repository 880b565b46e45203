"""Baseline (a): the value-stream tutorials' pandas recipe for time per stage, written correctly.

Every raw payload is parsed in Python, the status changes are grouped per ticket with pandas and
each ticket's history is walked in Python: the same definitions as ``marts.stage_durations`` (latest
record versions, live story-level items, intervals clipped to the lead span, visits = runs of one
stage), so the benchmark can check that it agrees with the marts.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

import duckdb
import pandas as pd

HOUR = pd.Timedelta(hours=1)


def _latest(con: duckdb.DuckDBPyConnection, table: str, columns: str) -> pd.DataFrame:
    frame = con.execute(f"SELECT {columns}, fetched_at, payload_hash FROM raw.{table}").df()
    frame = frame.sort_values(["fetched_at", "payload_hash"], ascending=False)
    return frame.drop_duplicates(["source", "record_id"])


def _timestamp(text: str) -> pd.Timestamp:
    return pd.Timestamp(datetime.fromisoformat(text).astimezone(UTC).replace(tzinfo=None))


def _flow_items(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    issues = _latest(con, "jira_issues", "source, record_id, payload")
    tombstones = _latest(con, "jira_tombstones", "source, record_id")
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


def _status_changes(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    histories = _latest(con, "jira_changelogs", "source, record_id, parent_id, payload")
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


def stage_durations(con: duckdb.DuckDBPyConnection, as_of: datetime) -> pd.DataFrame:
    """flow_item_id, stage, duration_hours, visit_count for every visited stage."""
    items = _flow_items(con)
    changes = _status_changes(con).sort_values(["changed_at", "number", "history_id", "index"])
    per_ticket = dict(iter(changes.groupby(["source", "issue_id"], sort=False)))
    rules = _StatusRules(con)
    moment = pd.Timestamp(as_of.astimezone(UTC).replace(tzinfo=None))
    rows = [
        (f"{item.source}:{item.issue_id}", stage, hours, visits)
        for item in items.itertuples(index=False)
        for stage, hours, visits in _ticket_stages(
            item, per_ticket.get((item.source, item.issue_id)), rules, moment
        )
    ]
    return pd.DataFrame(rows, columns=["flow_item_id", "stage", "duration_hours", "visit_count"])
