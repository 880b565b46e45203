"""The generated organisation: deterministic, planted edge cases at any size, payloads that agree
with the ground truth, and fast enough."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from extractors.simulation import EDGE_CASES, OrgConfig, SimulatedApis, SimulatedOrganisation
from extractors.simulation.jira.catalog import WORKFLOW_STATUSES
from extractors.simulation.jira.walks import TRANSITIONS

from .helpers import bulkfetch_all, jira_client, parse_time, search_all, search_pages

NOT_ON_FLOW_ITEMS = {"subtask", "epic", "initiative", "deleted"}
ALL_PROJECTS = "project in (PAY, MOB, PLAT)"


def crawl(org: SimulatedOrganisation) -> list[bytes]:
    """Every byte a full extraction reads: all search pages and all changelog pages."""
    apis = SimulatedApis(org)
    with jira_client(apis) as client:
        pages = search_pages(client, f"{ALL_PROJECTS} ORDER BY updated ASC")
        ids = [issue["id"] for page in pages for issue in page.json()["issues"]]
        changelogs = [
            client.post("/rest/api/3/changelog/bulkfetch", json={"issueIdsOrKeys": ids[n : n + 1000]}).content
            for n in range(0, len(ids), 1000)
        ]
    return [p.content for p in pages] + changelogs


def test_same_seed_same_organisation_different_seed_different_one():
    config = OrgConfig(flow_items=150)
    first, again = SimulatedOrganisation.generate(config), SimulatedOrganisation.generate(config)
    other = SimulatedOrganisation.generate(OrgConfig(flow_items=150, seed=8))
    assert crawl(first) == crawl(again)
    assert first.jira_truth().items == again.jira_truth().items
    assert crawl(first) != crawl(other)
    assert first.jira_truth().items != other.jira_truth().items


@pytest.mark.parametrize("flow_items", [120, 1500])
def test_every_edge_case_is_planted(flow_items, small_org, default_org):
    org = small_org if flow_items == 120 else default_org
    truth = org.jira_truth()
    assert len(truth.flow_items()) == flow_items
    on_flow_items = {tag for item in truth.flow_items() for tag in item.edge_cases}
    anywhere = {tag for item in truth.items.values() for tag in item.edge_cases}
    assert set(EDGE_CASES) - NOT_ON_FLOW_ITEMS <= on_flow_items
    assert {"subtask", "epic", "initiative"} <= anywhere
    assert not any(
        item.is_flow_item for tag in ("subtask", "epic", "initiative") for item in truth.with_edge_case(tag)
    )


def test_bulk_bot_moves_many_items_at_one_instant(small_truth):
    swept = small_truth.with_edge_case("bulk_bot")
    instants = {iv.entered_at for item in swept for iv in item.intervals if iv.status_id == "10110"}
    assert len(swept) >= 3 and len(instants) == 1


def test_type_at_completion(small_truth):
    changed = {item.issue_type_name: item for item in small_truth.with_edge_case("type_changed")}
    assert changed["Bug"].flow_item_type == "Defect"  # changed before completion
    assert changed["Story"].flow_item_type == "Feature"  # changed to Bug after completion


def test_label_rules_override_the_type(small_truth):
    on_hold = small_truth.with_edge_case("on_hold")
    assert any(item.flow_item_type == "Risk" for item in on_hold)  # security beats tech-debt
    assert any(
        item.flow_item_type == "Debt" and item.issue_type_name == "Task" for item in small_truth.flow_items()
    )


def test_hierarchy(small_truth):
    items = small_truth.items
    by_key = {item.issue_key: item for item in items.values()}
    for item in small_truth.flow_items():
        if item.parent_issue_key is not None:
            assert by_key[item.parent_issue_key].hierarchy_level == "epic"
            assert item.epic_issue_key == item.parent_issue_key
    for sub in small_truth.with_edge_case("subtask"):
        assert by_key[sub.parent_issue_key].is_flow_item and sub.flow_item_type is None
    assert any(item.initiative_issue_key for item in small_truth.flow_items())


def test_lead_time_by_stage(small_truth):
    start, end = datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 9, 1, tzinfo=UTC)
    rows = small_truth.lead_time_by_stage(start, end)
    assert [(stage, order) for stage, order, _, _ in rows] == [
        ("Discovery", 1),
        ("Dev", 2),
        ("Review", 3),
        ("Deploy", 4),
        ("Feedback", 5),
    ]
    counted = [
        item
        for item in small_truth.flow_items()
        if item.is_completed and item.history_complete and start <= item.flow_end_at < end
    ]
    for stage, _, total, visiting in rows:
        seconds = [item.stages[stage].seconds for item in counted if item.stages[stage].visit_count]
        assert (total, visiting) == (pytest.approx(sum(seconds)), len(seconds))
    expected = sum(item.lead_time_seconds - (item.ignored_seconds or 0) for item in counted)
    assert sum(total for _, _, total, _ in rows) == pytest.approx(
        expected
    )  # stage time + ignored = lead time


def test_walks_stay_inside_their_workflows():
    for workflow, table in TRANSITIONS.items():
        allowed = set(WORKFLOW_STATUSES[workflow])
        assert set(table) <= allowed
        assert all(target in allowed for options in table.values() for target, _ in options)
        assert all(sum(p for _, p in options) <= 1.0 + 1e-9 for options in table.values())


def test_truncated_history_is_flagged(small_truth, small_org):
    imported = small_truth.with_edge_case("truncated_history")
    assert {item.intervals[-1].status_name for item in imported} == {"In Progress", "Done"}
    assert all(not item.history_complete and item.created_at < small_org.config.start for item in imported)


def test_payloads_agree_with_the_ground_truth(small_org, small_truth, small_jira):
    """Intervals rebuilt from the wire (the way the warehouse must) equal the true ones."""
    issues = search_all(small_jira, ALL_PROJECTS, fields="status,issuetype,project,created")
    histories, _ = bulkfetch_all(small_jira, [i["id"] for i in issues])
    assert len(issues) == len(small_truth.items)
    for issue in issues:
        item = small_truth.items[issue["id"]]
        fields = issue["fields"]
        assert (issue["key"], fields["project"]["key"]) == (item.issue_key, item.project_key)
        created = parse_time(fields["created"])
        ordered = sorted(
            histories.get(issue["id"], []), key=lambda h: (parse_time(h["created"]), int(h["id"]))
        )
        changes = [
            (parse_time(h["created"]), it) for h in ordered for it in h["items"] if it["field"] == "status"
        ]
        first = changes[0][1]["from"] if changes else fields["status"]["id"]
        rebuilt = [(first, created)] + [(it["to"], when) for when, it in changes]
        assert [(iv.status_id, iv.entered_at) for iv in item.intervals] == rebuilt, issue["key"]
        assert fields["status"]["id"] == item.intervals[-1].status_id


def test_history_ids_grow_with_time_across_the_site(small_jira, small_truth):
    histories, _ = bulkfetch_all(small_jira, list(small_truth.items))
    flat = sorted((int(h["id"]), parse_time(h["created"])) for hs in histories.values() for h in hs)
    assert all(a[1] <= b[1] for a, b in zip(flat, flat[1:], strict=False))
    ids = [str(i) for i, _ in flat]
    assert min(flat)[0] < 10_000 < max(flat)[0] and sorted(ids) != ids


def test_delivery_milestones(small_org, small_truth):
    milestones = small_org.jira.delivery_milestones()
    done = [item for item in small_truth.flow_items() if item.is_completed and item.cycle_start_at]
    assert done and all(item.issue_id in milestones for item in done)
    for item in done:
        m = milestones[item.issue_id]
        if m.dev_start_at is not None and m.release_at is not None:
            assert m.dev_start_at <= m.review_start_at <= m.release_at


def test_configuration_is_validated():
    with pytest.raises(ValueError):
        OrgConfig(teams=2)
    with pytest.raises(ValueError):
        OrgConfig(start=datetime(2026, 5, 1))
    with pytest.raises(ValueError):
        OrgConfig(user_timezone="Mars/Olympus")


def test_more_teams_add_projects():
    org = SimulatedOrganisation.generate(OrgConfig(teams=5, flow_items=200))
    truth = org.jira_truth()
    assert {item.project_key for item in truth.flow_items()} >= {"PAY", "MOB", "PLAT", "WEB", "DATA"}


def test_default_generation_is_fast():
    started = time.perf_counter()
    SimulatedOrganisation.generate(OrgConfig())
    assert time.perf_counter() - started < 3.0


def test_clock_defaults_to_the_end(small_org):
    assert small_org.clock == small_org.config.end == datetime(2026, 11, 1, tzinfo=UTC)
