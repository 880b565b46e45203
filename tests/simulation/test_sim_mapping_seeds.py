"""The simulator's own mapping agrees with the seeds the warehouse ships."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from extractors.simulation import OrgConfig
from extractors.simulation.jira import catalog as c
from extractors.simulation.jira.mapping import (
    ISSUE_TYPE_RULES,
    LABEL_RULES,
    STAGE_ORDER,
    STATUS_RULES,
    StatusMapping,
)
from extractors.simulation.timeutil import utc_midnight_ms

SEEDS = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "mappings"
SOURCE = OrgConfig().jira_source


def read(name: str) -> list[dict[str, str]]:
    with (SEEDS / name).open(newline="") as handle:
        return list(csv.DictReader(handle))


def seed_status_rules(source: str) -> dict[int, set[tuple[str, str | None, date | None, date | None]]]:
    """Seed rows that apply to ``source``: its own rows win over ``*`` rows for the same status."""
    rows: dict[tuple[str, int], set] = {}
    for row in read("status_flow_mapping.csv"):
        if row["source"] not in ("*", source):
            continue
        rows.setdefault((row["source"], int(row["status_id"])), set()).add(
            (
                row["flow_state"],
                row["stage"] or None,
                date.fromisoformat(row["valid_from"]) if row["valid_from"] else None,
                date.fromisoformat(row["valid_to"]) if row["valid_to"] else None,
            )
        )
    resolved = {}
    for (origin, status_id), rules in rows.items():
        if origin == source or (source, status_id) not in rows:
            resolved[status_id] = rules
    return resolved


def test_status_mapping_matches_the_seed():
    ours: dict[int, set] = {}
    for rule in STATUS_RULES:
        ours.setdefault(rule.status_id, set()).add(
            (rule.flow_state, rule.stage, rule.valid_from, rule.valid_to)
        )
    seeds = seed_status_rules(SOURCE)
    for status_id in c.STATUSES:
        assert ours[status_id] == seeds[status_id], f"status {status_id} ({c.STATUSES[status_id].name})"


def test_seed_status_names_are_the_current_names():
    for row in read("status_flow_mapping.csv"):
        status = c.STATUSES.get(int(row["status_id"]))
        if status is not None:
            assert row["status_name"] == status.name


def test_versioned_rows_do_not_overlap_and_leave_no_gap():
    mapping = StatusMapping()
    moved = utc_midnight_ms(date(2026, 8, 1))
    assert (
        mapping.at(c.IN_STAGING, moved - 1)[1] == "Review" and mapping.at(c.IN_STAGING, moved)[1] == "Deploy"
    )


def test_issue_type_mapping_matches_the_seed():
    seeds = {
        row["issue_type_name"]: (row["flow_item_type"] or None, row["hierarchy_level"])
        for row in read("issue_type_mapping.csv")
        if row["issue_type_name"] and not row["label"]
    }
    for issue_type in c.ISSUE_TYPES.values():
        rule = ISSUE_TYPE_RULES[issue_type.name]
        assert seeds[issue_type.name] == (rule.flow_item_type, rule.hierarchy_level), issue_type.name


def test_jira_hierarchy_levels_agree_with_the_mapped_levels():
    jira_level = {2: "initiative", 1: "epic", 0: "story", -1: "subtask"}
    for issue_type in c.ISSUE_TYPES.values():
        assert ISSUE_TYPE_RULES[issue_type.name].hierarchy_level == jira_level[issue_type.hierarchy_level]


def test_label_rules_match_the_seed():
    seeds = {
        row["label"]: (int(row["priority"]), row["flow_item_type"])
        for row in read("issue_type_mapping.csv")
        if row["label"]
    }
    for rule in LABEL_RULES:
        assert seeds[rule.label] == (rule.priority, rule.flow_item_type)


def test_stages_match_the_seed():
    assert {row["stage"]: int(row["stage_order"]) for row in read("stages.csv")} == STAGE_ORDER
