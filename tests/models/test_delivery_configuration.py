"""The delivery configuration is data: the same organisation as test_delivery_marts, built with the
shipped deployment_sources (mobile-app deploys through GitHub deployments, so its workflow runs are
no deployments), a tier mapping that sends qa to staging, only two attribution methods in force, and
the first deployment of a service as a baseline (var dora_count_first_deployment_changes false)."""

from __future__ import annotations

import duckdb
import pytest

from tests.support.dbt import copy_mappings, run_dbt

from .delivery_scenario import D1, D3, D4, D5, D6, D8, D_QA, PAY, delivery, jira
from .jira_payloads import query

pytestmark = pytest.mark.pipeline

METHODS = """method,enabled,precedence,description
explicit,false,1,
root_cause_sha,true,2,
revert,false,3,
rollback,false,4,
nearest_preceding,true,5,
"""


def dep(record_id: int) -> str:
    return f"demo-github:deployment:{record_id}"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    work = tmp_path_factory.mktemp("delivery_configuration")
    path = work / "warehouse.duckdb"
    con = duckdb.connect(str(path))
    try:
        delivery().land(con)
        jira().land(con)
    finally:
        con.close()
    mappings = copy_mappings(work / "mappings")
    (mappings / "failure_attribution_methods.csv").write_text(METHODS)
    tiers = (mappings / "environment_tiers.csv").read_text()
    (mappings / "environment_tiers.csv").write_text(tiers + "5,^qa$,staging,QA counts as staging here\n")
    result = run_dbt(
        path,
        ["build", "--select", "+marts.delivery", "+flow_items", "--indirect-selection", "cautious"],
        vars={"as_of": "2026-07-08T00:00:00Z", "dora_count_first_deployment_changes": False},
        mappings_dir=mappings,
        work_dir=work,
    )
    assert result.ok, "\n".join(result.failures()) + "\n" + result.output[-8000:]
    return path


def test_shipped_deployment_sources_take_github_deployments_only(warehouse):
    mobile = query(warehouse, "select count(*) as n from marts.deployments where service = 'mobile-backend'")
    assert mobile == [{"n": 0}]  # its workflow runs are not deployments with the shipped seed
    qa = query(warehouse, "select tier from marts.deployments where deployment_id = ?", [dep(D_QA)])
    assert qa == [{"tier": "staging"}]


def test_first_deployment_is_a_baseline(warehouse):
    d1 = query(
        warehouse,
        "select change_count, is_first_of_service from marts.deployments where deployment_id = ?",
        [dep(D1)],
    )[0]
    assert d1 == {"change_count": 4, "is_first_of_service": True}  # its change set is still computed
    counted = {r["change_id"] for r in query(warehouse, "select change_id from marts.change_lead_times")}
    assert f"{PAY}#1" not in counted and f"{PAY}#2" in counted
    pr1 = query(
        warehouse,
        "select deployment_id, deploy_hours, cycle_hours from marts.pull_requests "
        "where repository = ? and number = 1",
        [PAY],
    )[0]
    assert pr1 == {"deployment_id": None, "deploy_hours": None, "cycle_hours": None}
    items = {r["issue_key"]: r for r in query(warehouse, "select * from marts.flow_items")}
    assert items["PAY-1"]["first_deployment_id"] == dep(D3)  # PR #4's change; PR #1 shipped with the baseline
    assert items["MOB-1"]["first_deployment_id"] is None


def test_only_the_methods_in_force_attribute(warehouse):
    links = query(
        warehouse, "select incident_id, deployment_id, attribution_method from marts.deployment_failures"
    )
    assert sorted((r["incident_id"], r["deployment_id"], r["attribution_method"]) for r in links) == [
        ("Q1", dep(D4), "nearest_preceding"),  # the explicit mention is not used
        ("Q2", dep(D5), "nearest_preceding"),  # neither is the revert: the rollback was the last deployment
        ("Q3", dep(D3), "root_cause_sha"),
        ("Q4", dep(D8), "nearest_preceding"),
        ("Q6", dep(D6), "nearest_preceding"),
        ("Q7", dep(D8), "nearest_preceding"),
    ]  # and no revert or rollback links without an incident
