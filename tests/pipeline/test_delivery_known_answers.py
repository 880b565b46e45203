"""The published delivery and DORA marts equal the simulated organisation's delivery ground truth.

The shared pipeline ran twice (an incremental second run after the organisation moved on), reading
the real Git clones, the simulated GitHub and PagerDuty APIs and Jira through the real extractors.
"""

from __future__ import annotations

from collections import defaultdict
from zoneinfo import ZoneInfo

import pytest

from extractors.simulation.delivery.truth import DELIVERY_EDGE_CASES
from tests.support.pipeline import utc

SECOND = 1e-3


def key(deployment_id: int | None) -> str | None:
    return None if deployment_id is None else f"demo-github:deployment:{deployment_id}"


def hours_equal(hours, seconds) -> bool:
    if seconds is None or hours is None:
        return hours is None and seconds is None
    return abs(hours * 3600 - seconds) < SECOND


def rows(con, sql):
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


@pytest.fixture(scope="module")
def delivery(flow_pipeline):
    return flow_pipeline.org.delivery_truth()


@pytest.fixture(scope="module")
def marts(flow_pipeline):
    with flow_pipeline.run.published() as con:
        yield {
            "deployments": {r["deployment_id"]: r for r in rows(con, "SELECT * FROM marts.deployments")},
            "changes": rows(
                con, "SELECT deployment_id, sha, is_first_deployment FROM marts.deployment_changes"
            ),
            "lead_times": {r["change_id"]: r for r in rows(con, "SELECT * FROM marts.change_lead_times")},
            "failures": rows(con, "SELECT * FROM marts.deployment_failures"),
            "pull_requests": {
                (r["repository"], r["number"]): r for r in rows(con, "SELECT * FROM marts.pull_requests")
            },
            "flow_items": {
                r["issue_id"]: r
                for r in rows(
                    con, "SELECT issue_id, first_deployment_id, first_deployed_at FROM marts.flow_items"
                )
            },
            "dora": rows(con, "SELECT * FROM marts.dora_metrics WHERE period_grain = 'month'"),
        }


def test_every_deployment_equals_the_ground_truth(delivery, marts):
    assert {key(d.id) for d in delivery.deployments.values()} == set(marts["deployments"])
    for d in delivery.deployments.values():
        row = marts["deployments"][key(d.id)]
        where = f"deployment {d.id} ({d.kind}, {d.environment})"
        assert (row["service"], row["environment"], row["tier"], row["sha"]) == (
            d.service,
            d.environment,
            d.tier,
            d.sha,
        ), where
        assert (row["is_successful"], row["is_dora_deployment"]) == (d.succeeded, d.is_production), where
        assert (row["is_redeploy"], row["is_rollback"], row["is_hotfix"]) == (
            d.is_redeploy,
            d.is_rollback,
            d.is_hotfix,
        ), where
        assert utc(row["finished_at"]) == d.finished_at, where
        if d.is_production:
            assert row["previous_successful_deployment_id"] == key(d.previous_deployment_id), where
            assert set(filter(None, (row["rework_reasons"] or "").split(","))) == set(d.rework_reasons), where


def test_every_production_change_set_equals_git_ancestry(delivery, marts):
    shipped: dict[str, set[str]] = defaultdict(set)
    first: dict[str, set[str]] = defaultdict(set)
    for change in marts["changes"]:
        shipped[change["deployment_id"]].add(change["sha"])
        if change["is_first_deployment"]:
            first[change["deployment_id"]].add(change["sha"])
    production = delivery.production_deployments()
    assert production
    for d in production:
        assert shipped.get(key(d.id), set()) == set(d.change_set), f"change set of {d.id}"
        assert first.get(key(d.id), set()) == set(d.first_deployed_shas), f"first shipped by {d.id}"
    assert sum(len(d.change_set) > 20 for d in production) > 0  # deployments with many commits


def test_every_change_lead_time_equals_the_ground_truth(delivery, marts):
    assert set(delivery.changes) == set(marts["lead_times"])
    for change in delivery.changes.values():
        row = marts["lead_times"][change.change_id]
        assert row["deployment_id"] == key(change.deployment_id), change.change_id
        assert utc(row["first_commit_at"]) == change.first_commit_at, change.change_id
        assert hours_equal(row["lead_time_hours"], change.lead_time_seconds), change.change_id


def test_every_failure_link_equals_the_ground_truth(delivery, marts):
    expected = {
        (key(link.deployment_id), link.incident_id, link.method, key(link.remediation_deployment_id))
        for link in delivery.failure_links
    }
    actual = {
        (r["deployment_id"], r["incident_id"], r["attribution_method"], r["remediation_deployment_id"])
        for r in marts["failures"]
    }
    assert actual == expected
    recovery = {(r["deployment_id"], r["incident_id"]): r["recovery_hours"] for r in marts["failures"]}
    for link in delivery.failure_links:
        if link.incident_id is not None:
            assert hours_equal(recovery[(key(link.deployment_id), link.incident_id)], link.recovery_seconds)


def test_every_pull_request_breakdown_equals_the_ground_truth(delivery, marts):
    for pr in delivery.pull_requests.values():
        row = marts["pull_requests"][(pr.repository, pr.number)]
        where = f"{pr.repository}#{pr.number} ({sorted(pr.edge_cases)})"
        assert row["is_bot_author"] == pr.is_bot, where
        for column, seconds in (
            ("coding_hours", pr.coding_seconds),
            ("pickup_hours", pr.pickup_seconds),
            ("review_hours", pr.review_seconds),
            ("deploy_hours", pr.deploy_seconds),
        ):
            assert hours_equal(row[column], seconds), f"{where}: {column}"
        assert row["deployment_id"] == key(pr.deployment_id), where


def test_flow_items_get_their_first_production_deployment(flow_pipeline, delivery, marts):
    checked = 0
    for item in flow_pipeline.truth.flow_items():
        expected = delivery.items.get(item.issue_id)
        row = marts["flow_items"][item.issue_id]
        if expected is None or expected.first_deployment_id is None:
            assert row["first_deployed_at"] is None, item.issue_key
            continue
        assert row["first_deployment_id"] == key(expected.first_deployment_id), item.issue_key
        assert utc(row["first_deployed_at"]) == expected.first_deployed_at, item.issue_key
        checked += 1
    assert checked > 100


def test_monthly_deployment_counts_and_change_fail_rates_equal_the_ground_truth(
    flow_pipeline, delivery, marts
):
    zone = ZoneInfo(flow_pipeline.org.config.user_timezone)
    deployments: dict[tuple[str, str], int] = defaultdict(int)
    failed: dict[tuple[str, str], int] = defaultdict(int)
    failed_ids = delivery.failed_deployment_ids()
    for d in delivery.production_deployments():
        month = d.finished_at.astimezone(zone).strftime("%Y-%m")
        for service in (d.service, "*"):
            deployments[(service, month)] += 1
            failed[(service, month)] += d.id in failed_ids
    for row in marts["dora"]:
        cell = (row["service"], row["period_start"].strftime("%Y-%m"))
        assert row["deployment_count"] == deployments.get(cell, 0), cell
        if deployments.get(cell):
            assert row["change_fail_rate"] == pytest.approx(failed[cell] / deployments[cell]), cell


@pytest.mark.parametrize("tag", DELIVERY_EDGE_CASES)
def test_every_delivery_edge_case_is_planted_and_published(delivery, marts, tag):
    found = delivery.with_edge_case(tag)
    assert found, f"the simulated organisation plants no {tag!r}"
    for obj in found:
        if hasattr(obj, "deployment_key"):
            assert obj.deployment_key in marts["deployments"], (tag, obj.id)
        elif hasattr(obj, "number") and hasattr(obj, "head_ref"):
            assert (obj.repository, obj.number) in marts["pull_requests"], (tag, obj.number)
