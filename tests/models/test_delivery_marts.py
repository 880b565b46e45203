"""Known answers for the delivery marts: one warehouse with every Git, CI/CD and incident edge case of
SPEC §6 (tests/models/delivery_scenario.py draws the history), built once by ``dbt build``
(models, unit tests and data tests), then read figure by figure.

as_of = 2026-07-08 00:00 UTC; local dates in Europe/Berlin (every event is mid-day, so local and
UTC dates agree); mobile-app's deployments are workflow runs named "Deploy production".
"""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import pytest

from tests.support.dbt import copy_mappings, run_dbt

from .delivery_payloads import sha_of
from .delivery_scenario import (
    D1,
    D2,
    D2_FAILED,
    D2EU,
    D3,
    D4,
    D5,
    D6,
    D7,
    D8,
    D_FAILED_PROD,
    D_PREVIEW,
    D_QA,
    D_STAGING,
    D_TOOLS,
    DEPLOYMENT_SOURCES,
    MOB,
    PAY,
    delivery,
    jira,
)
from .jira_payloads import query

pytestmark = pytest.mark.pipeline

VARS = {"as_of": "2026-07-08T00:00:00Z", "reporting_timezone": "Europe/Berlin"}


def dep(record_id: int) -> str:
    return f"demo-github:deployment:{record_id}"


def sha(repository: str, label: str) -> str:
    return sha_of(f"{repository}:{label}")


def approx(value):
    return pytest.approx(value, abs=1e-6)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    work = tmp_path_factory.mktemp("delivery_marts")
    path = work / "warehouse.duckdb"
    con = duckdb.connect(str(path))
    try:
        delivery().land(con)
        jira().land(con)
    finally:
        con.close()
    mappings = copy_mappings(work / "mappings")
    (mappings / "deployment_sources.csv").write_text(DEPLOYMENT_SOURCES)
    result = run_dbt(
        path,
        ["build", "--select", "+marts.delivery", "+flow_items", "--indirect-selection", "cautious"],
        vars=VARS,
        mappings_dir=mappings,
        work_dir=work,
    )
    assert result.ok, "\n".join(result.failures()) + "\n" + result.output[-8000:]
    assert "WARN=0" in result.stdout, result.stdout[-4000:]
    return path


@pytest.fixture(scope="module")
def deployments(warehouse):
    return {row["deployment_id"]: row for row in query(warehouse, "select * from marts.deployments")}


@pytest.fixture(scope="module")
def changes(warehouse):
    return {row["change_id"]: row for row in query(warehouse, "select * from marts.change_lead_times")}


@pytest.fixture(scope="module")
def change_sets(warehouse):
    out: dict[str, set[str]] = {}
    for row in query(warehouse, "select deployment_id, sha from marts.deployment_changes"):
        out.setdefault(row["deployment_id"], set()).add(row["sha"])
    return out


@pytest.fixture(scope="module")
def pulls(warehouse):
    return {
        row["number"]: row
        for row in query(warehouse, "select * from marts.pull_requests where repository = ?", [PAY])
    }


@pytest.fixture(scope="module")
def failures(warehouse):
    return query(warehouse, "select * from marts.deployment_failures")


def dora(warehouse, service: str, grain: str, start: date) -> dict:
    rows = query(
        warehouse,
        "select * from marts.dora_metrics where service = ? and period_grain = ? and period_start = ?",
        [service, grain, start],
    )
    assert len(rows) == 1, (service, grain, start)
    return rows[0]


def shas(*labels: str, repository: str = PAY) -> set[str]:
    return {sha(repository, label) for label in labels}


# ---- deployments: what counts, and reruns ---------------------------------------------------------


def test_one_pipeline_with_several_records_and_a_rerun_is_one_deployment_per_environment(deployments):
    # run 5001: staging, production attempt 1 (failed record), attempt 2 (success), prod-eu
    assert dep(D2_FAILED) not in deployments
    d2 = deployments[dep(D2)]
    assert (d2["record_count"], d2["failed_record_count"], d2["attempt_count"]) == (2, 1, 2)
    assert d2["status"] == "success" and d2["is_dora_deployment"]
    assert d2["started_at"] == datetime(2026, 7, 3, 13, 20)  # the first attempt's start
    assert d2["finished_at"] == datetime(2026, 7, 3, 14, 10)  # the successful attempt's end
    assert d2["workflow_run_id"] == "5001"
    eu = deployments[dep(D2EU)]
    assert (eu["environment"], eu["tier"], eu["is_dora_deployment"]) == ("prod-eu", "production", True)
    staging = deployments[dep(D_STAGING)]
    assert (staging["tier"], staging["is_dora_deployment"], staging["change_set_status"]) == (
        "staging",
        False,
        "not_applicable",
    )


def test_flaky_ci_rerun_of_a_workflow_run_deployment_is_one_deployment(deployments):
    run = deployments["demo-github:run:7001"]
    assert (run["service"], run["status"], run["attempt_count"], run["record_count"]) == (
        "mobile-backend",
        "success",
        2,
        1,
    )
    assert run["started_at"] == datetime(2026, 7, 2, 10, 0) and run["finished_at"] == datetime(
        2026, 7, 2, 10, 30
    )
    assert deployments["demo-github:run:7003"]["status"] == "failure"
    assert "demo-github:run:7002" not in deployments  # CI, not a deployment workflow
    assert "demo-github:run:7004" not in deployments  # skipped


def test_environments_map_to_tiers_ignoring_case(deployments):
    assert deployments[dep(D_QA)]["tier"] == "other"
    assert deployments[dep(D_PREVIEW)]["tier"] == "other"
    tools = deployments[dep(D_TOOLS)]
    assert (tools["environment"], tools["tier"], tools["is_dora_deployment"]) == (
        "Production",
        "production",
        True,
    )
    # a repository nobody mapped is its own service; without git its change set is unknown
    assert (tools["service"], tools["change_set_status"], tools["change_count"]) == (
        "acme/tools",
        "sha_not_in_git",
        None,
    )


def test_failed_production_deployment_is_not_counted(deployments):
    failed = deployments[dep(D_FAILED_PROD)]
    assert (failed["status"], failed["native_status"], failed["is_dora_deployment"]) == (
        "failure",
        "error",
        False,
    )
    assert failed["previous_successful_deployment_id"] is None


def test_inactive_status_does_not_undo_a_success(deployments):
    d1 = deployments[dep(D1)]
    assert (d1["status"], d1["native_status"], d1["finished_at"]) == (
        "success",
        "success",
        datetime(2026, 7, 2, 12, 10),
    )


# ---- change sets by ancestry ----------------------------------------------------------------------


def test_first_deployment_ships_its_whole_history(deployments, change_sets):
    assert change_sets[dep(D1)] == shas("m0", "f1a", "f1b", "m1")
    assert deployments[dep(D1)]["is_first_of_service"]


def test_squash_and_rebase_merges_change_sets(change_sets):
    # the squash commit and the rebased copies, not the PRs' branch commits (never on main)
    assert change_sets[dep(D2)] == shas("s2", "r3a'", "r3b'")
    assert dep(D2EU) not in change_sets  # the second production region ships nothing new


def test_redeploy_and_rollback_have_empty_change_sets(deployments, change_sets):
    assert change_sets[dep(D3)] == shas("h4", "t4", "m4")
    assert change_sets.get(dep(D4), set()) == set() and deployments[dep(D4)]["change_count"] == 0
    assert change_sets.get(dep(D5), set()) == set()
    d4, d5 = deployments[dep(D4)], deployments[dep(D5)]
    assert (d4["is_redeploy"], d4["is_rollback"]) == (True, False)
    assert (d5["is_redeploy"], d5["is_rollback"]) == (True, True)
    assert d5["previous_successful_deployment_id"] == dep(D4)


def test_commits_rolled_back_come_back_with_the_next_deployment(deployments, change_sets, warehouse):
    # D6 is compared with the rollback's SHA: the rolled-back commits are listed again, but D3
    # shipped them first
    assert change_sets[dep(D6)] == shas("h4", "t4", "m4", "v5")
    assert (deployments[dep(D6)]["change_count"], deployments[dep(D6)]["new_commit_count"]) == (4, 1)
    firsts = query(
        warehouse,
        "select sha, is_first_deployment from marts.deployment_changes where deployment_id = ?",
        [dep(D6)],
    )
    assert {r["sha"] for r in firsts if r["is_first_deployment"]} == shas("v5")


def test_hotfix_from_a_branch_then_the_merge_back(deployments, change_sets):
    assert change_sets[dep(D7)] == shas("x7")
    assert deployments[dep(D7)]["is_hotfix"]
    # the merge back reaches production with the next deployment; it is no hotfix
    assert change_sets[dep(D8)] == shas("m7", "q8")
    assert not deployments[dep(D8)]["is_hotfix"]


def test_deployment_with_many_commits(deployments, change_sets):
    freeze = deployments["demo-github:run:7005"]
    # the failed run 7003 shipped nothing, so n2 comes with the freeze's 45 commits
    assert freeze["change_count"] == 46
    assert change_sets["demo-github:run:7005"] == shas(*(f"n{k}" for k in range(2, 48)), repository=MOB)


# ---- changes and lead times -----------------------------------------------------------------------


def test_change_lead_times_per_change_at_first_deployment(changes):
    expected = {
        f"{PAY}#1": (dep(D1), 27 + 10 / 60),
        f"{PAY}@{sha(PAY, 'm0')}": (dep(D1), 51 + 10 / 60),
        f"{PAY}#2": (dep(D2), 25 + 10 / 60),
        f"{PAY}#3": (dep(D2), 196 + 10 / 60),
        f"{PAY}#4": (dep(D3), 3 + 5 / 60),
        f"{PAY}@{sha(PAY, 'h4')}": (dep(D3), 4 + 5 / 60),
        f"{PAY}@{sha(PAY, 'v5')}": (dep(D6), 1 + 10 / 60),
        f"{PAY}#7": (dep(D7), 1 + 5 / 60),
        f"{PAY}#8": (dep(D8), 2 + 5 / 60),
    }
    ours = {
        k: (v["deployment_id"], v["lead_time_hours"]) for k, v in changes.items() if v["repository"] == PAY
    }
    assert ours == {k: (d, approx(h)) for k, (d, h) in expected.items()}


def test_merge_commit_pr_counts_its_merge_commit(changes):
    pr1 = changes[f"{PAY}#1"]
    assert (pr1["commit_count"], pr1["commit_sha"], pr1["first_commit_at"]) == (
        3,
        sha(PAY, "m1"),
        datetime(2026, 7, 1, 9, 0),
    )  # f1a: git printed 11:00+02:00


def test_squash_merge_takes_first_commit_from_the_pr_commits(changes):
    pr2 = changes[f"{PAY}#2"]
    # the branch commits never reached the clone; the force-pushed-away WIP commit (20 June) does not count
    assert pr2["first_commit_at"] == datetime(2026, 7, 2, 13, 0)
    assert (pr2["commit_count"], pr2["commit_sha"]) == (1, sha(PAY, "s2"))


def test_rebased_commit_keeps_its_old_author_date(changes, warehouse):
    pr3 = changes[f"{PAY}#3"]
    assert pr3["first_commit_at"] == datetime(2026, 6, 25, 10, 0)
    assert pr3["commit_count"] == 2  # the rebased copy and the last rebased commit
    copy = query(warehouse, "select * from marts.commits where sha = ?", [sha(PAY, "r3a'")])[0]
    assert (copy["change_id"], copy["pull_request_link_method"]) == (f"{PAY}#3", "rebased_copy")
    assert copy["author_to_commit_hours"] == approx(8 * 24 + 2)


def test_bot_changes_count_in_lead_time_but_flagged(changes):
    assert changes[f"{PAY}#8"]["is_bot_author"] is True
    assert not changes[f"{PAY}#1"]["is_bot_author"]


def test_hotfix_pr_counts_at_the_hotfix_deployment(changes):
    assert changes[f"{PAY}#7"]["deployment_id"] == dep(D7)  # not the later train with its merge commit


def test_mobile_direct_pushes_are_changes(changes):
    mob = {k: v for k, v in changes.items() if v["repository"] == MOB}
    assert len(mob) == 2 + 46
    assert mob[f"{MOB}@{sha(MOB, 'n2')}"]["lead_time_hours"] == approx(98 + 20 / 60)
    assert all(v["change_type"] == "commit" for v in mob.values())


# ---- pull requests --------------------------------------------------------------------------------


def test_pr_breakdown(pulls):
    got = {
        n: tuple(
            None if v is None else round(v, 4)
            for v in (
                p["coding_hours"],
                p["pickup_hours"],
                p["review_hours"],
                p["deploy_hours"],
                p["cycle_hours"],
            )
        )
        for n, p in pulls.items()
    }
    assert got == {
        1: (7.0, 17.0, 1.0, 2.1667, 27.1667),  # pickup skips the bot's and the author's reviews
        2: (1.5, 2.0, 15.0, 5.1667, 25.1667),  # a draft: pickup from ready for review
        3: (192.5, 0.5, 1.0, 2.1667, 196.1667),  # a rebased commit authored a week earlier
        4: (0.5, 0.3333, 1.0, 1.0833, 3.0833),  # ready at 09:40 by its timeline
        7: (0.1667, 0.1667, 1.6667, None, 1.0833),  # hotfix deployed before it was merged
        8: (0.0833, 0.4167, 0.5, 1.0833, 2.0833),
        9: (None, None, None, None, None),  # open
    }
    assert pulls[7]["has_negative_span"] and not pulls[1]["has_negative_span"]


def test_pr_ready_for_review_from_timeline_else_versions(pulls):
    assert pulls[4]["ready_for_review_at"] == datetime(2026, 7, 4, 9, 40)  # the timeline event
    assert pulls[2]["ready_for_review_at"] == datetime(2026, 7, 2, 16, 0)  # no timeline: the versions
    assert pulls[1]["ready_for_review_at"] is None and pulls[1]["review_ready_at"] == pulls[1]["created_at"]
    assert pulls[9]["is_draft"]


def test_bots_are_excluded_from_pr_metrics(pulls):
    assert pulls[8]["is_bot_author"] and not pulls[8]["is_in_pr_metrics"]
    assert pulls[1]["first_reviewer_login"] == "erin"  # not sonarcloud[bot], not the author dana
    assert sorted(n for n, p in pulls.items() if p["is_in_pr_metrics"]) == [1, 2, 3, 4, 7]


def test_pr_size(pulls):
    assert (pulls[1]["size_lines"], pulls[1]["size_source"]) == (150, "pull_request")
    assert (pulls[2]["size_lines"], pulls[2]["size_source"]) == (45, "squash_commit")
    assert (pulls[3]["size_lines"], pulls[3]["size_source"]) == (24, "rebased_commits")
    assert (pulls[4]["size_lines"], pulls[4]["size_source"]) == (12, "commits")


# ---- failures -------------------------------------------------------------------------------------


def test_failure_attribution(failures):
    incident_links = sorted(
        (f["incident_id"], f["deployment_id"], f["attribution_method"]) for f in failures if f["incident_id"]
    )
    assert incident_links == [
        ("Q1", dep(D3), "explicit"),  # names D3 while a rollback was running: explicit wins
        ("Q2", dep(D3), "revert"),  # the revert of t4 deployed while it was open
        ("Q3", dep(D3), "root_cause_sha"),  # a note names t4 by 12 hex digits
        ("Q4", dep(D8), "nearest_preceding"),
        ("Q6", dep(D3), "explicit"),  # two causes
        ("Q6", dep(D6), "explicit"),
        ("Q7", dep(D8), "nearest_preceding"),  # still open
    ]
    remediations = sorted(
        (f["deployment_id"], f["attribution_method"], f["remediation_deployment_id"])
        for f in failures
        if not f["incident_id"]
    )
    assert remediations == [
        (dep(D3), "revert", dep(D6)),
        (dep(D3), "rollback", dep(D5)),
        (dep(D4), "rollback", dep(D5)),  # the rollback undid the redeploy too
    ]


def test_incident_with_no_cause(warehouse):
    q5 = query(warehouse, "select * from marts.incidents where incident_id = 'Q5'")[0]
    assert (q5["is_attributed"], q5["caused_by_deployment_count"], q5["attribution_method"]) == (
        False,
        0,
        None,
    )
    q6 = query(warehouse, "select * from marts.incidents where incident_id = 'Q6'")[0]
    assert q6["caused_by_deployment_count"] == 2


def test_several_incidents_on_one_deployment(deployments):
    d3 = deployments[dep(D3)]
    assert (d3["has_failure"], d3["failure_incident_count"], d3["failure_link_count"]) == (True, 4, 6)


def test_recovery_times(failures):
    recovery = {
        (f["incident_id"], f["deployment_id"]): (
            round(f["recovery_hours"], 4),
            f["recovery_from_incident_start_hours"],
        )
        for f in failures
        if f["incident_id"] and f["recovery_hours"] is not None
    }
    assert recovery == {
        ("Q1", dep(D3)): (4.9167, 1.0),
        ("Q2", dep(D3)): (22.4167, 1.0),
        ("Q3", dep(D3)): (25.4167, 1.0),
        ("Q4", dep(D8)): (2.9167, 2.0),
        ("Q6", dep(D3)): (23.4167, 0.5),
        ("Q6", dep(D6)): (1.3333, 0.5),
    }


def test_rework(deployments):
    reasons = {d: deployments[dep(d)]["rework_reasons"] for d in (D1, D2, D3, D4, D5, D6, D7, D8)}
    assert reasons == {
        D1: None,
        D2: None,
        D3: None,
        D4: None,  # a redeploy is no rework
        D5: "rollback,incident_fix",
        D6: "revert,incident_fix",
        D7: "hotfix,incident_fix",
        D8: None,
    }


# ---- DORA metrics ---------------------------------------------------------------------------------


def test_dora_week_with_known_figures(warehouse):
    week = dora(warehouse, "payments-api", "week", date(2026, 6, 29))
    assert (week["deployment_count"], week["deployment_days"], week["median_deployment_days_per_week"]) == (
        8,
        4,
        4.0,
    )
    lead = [
        1 + 5 / 60,
        1 + 10 / 60,
        3 + 5 / 60,
        4 + 5 / 60,
        25 + 10 / 60,
        27 + 10 / 60,
        51 + 10 / 60,
        196 + 10 / 60,
    ]
    assert week["lead_time_n"] == 8
    assert week["lead_time_median_hours"] == approx((lead[3] + lead[4]) / 2)  # interpolated
    assert week["lead_time_lower_median_hours"] == approx(lead[3])  # DevLake's lower median
    assert (week["failed_deployment_count"], week["change_fail_rate"]) == (3, 0.375)  # D3, D4, D6
    assert (week["recovery_n"], round(week["recovery_median_hours"], 4)) == (5, 22.4167)
    assert (week["recovery_from_incident_start_n"], week["recovery_from_incident_start_median_hours"]) == (
        4,
        1.0,
    )
    assert (week["rework_deployment_count"], week["deployment_rework_rate"]) == (3, 0.375)
    assert week["pr_n"] == 5 and week["pr_pickup_median_hours"] == approx(0.5)  # PRs 1, 2, 3, 4, 7
    assert (
        week["deployment_frequency_level_2023"],
        week["lead_time_level_2023"],
        week["change_fail_level_2023"],
        week["recovery_level_2023"],
    ) == ("high", "elite", "low", "high")
    assert (
        week["deployment_frequency_level_2021"],
        week["lead_time_level_2021"],
        week["change_fail_level_2021"],
        week["recovery_level_2021"],
    ) == ("high", "high", "low", "high")
    assert week["is_small_sample"] is False and week["is_period_complete"] is True


def test_dora_month_and_all_services(warehouse):
    month = dora(warehouse, "payments-api", "month", date(2026, 7, 1))
    assert (
        month["deployment_count"],
        month["median_deployment_days_per_week"],
        month["lower_median_deployment_days_per_week"],
    ) == (9, 2.5, 1.0)
    assert month["is_period_complete"] is False
    everyone = dora(warehouse, "*", "week", date(2026, 6, 29))
    assert everyone["deployment_count"] == 8 + 1 + 1  # payments, mobile's run 7001, acme/tools


def test_dora_periods_are_gap_free(warehouse):
    weeks = query(
        warehouse,
        "select period_start, deployment_count from marts.dora_metrics "
        "where service = 'payments-api' and period_grain = 'week' order by period_start",
    )
    # from the first event (the incident of 29 June) to the week of as_of
    assert [(w["period_start"], w["deployment_count"]) for w in weeks] == [
        (date(2026, 6, 29), 8),
        (date(2026, 7, 6), 1),
    ]


def test_tiny_samples_get_no_level(warehouse):
    mobile = dora(warehouse, "mobile-backend", "week", date(2026, 6, 29))
    assert mobile["deployment_count"] == 1 and mobile["is_small_sample"]
    assert mobile["change_fail_level_2023"] is None and mobile["deployment_frequency_level_2023"] == "high"
    late = dora(warehouse, "payments-api", "week", date(2026, 7, 6))
    assert (
        late["is_small_sample"] and late["lead_time_level_2023"] is None and late["change_fail_rate"] == 1.0
    )


# ---- flow items meet delivery ---------------------------------------------------------------------


def test_flow_item_links(warehouse):
    links = query(
        warehouse,
        "select issue_key, matched_key, link_type, link_source, pull_request_number, "
        "deployment_id from marts.flow_item_links",
    )
    prs = {
        (r["issue_key"], r["pull_request_number"], r["link_source"])
        for r in links
        if r["link_type"] == "pull_request"
    }
    assert prs == {
        ("PAY-1", 1, "branch"),
        ("PAY-1", 1, "pr_title"),
        ("PAY-1", 4, "branch"),
        ("PAY-1", 4, "pr_title"),
        ("PAY-2", 2, "branch"),  # pay-2-faster-payouts: branches match ignoring case
        ("PAY-2", 2, "pr_title"),
        ("PAY-2", 9, "branch"),
        ("PAY-3", 3, "branch"),
        ("PAY-3", 7, "branch"),
    }
    moved = [r for r in links if r["issue_key"] == "OPS-9"]
    assert {(r["matched_key"], r["link_type"], r["link_source"]) for r in moved} == {
        ("PAY-9", "commit", "commit_message"),
        ("PAY-9", "deployment", "commit_message"),
    }
    assert not [r for r in links if r["issue_key"] == "MOB-2"]


def test_flow_items_first_deployed(warehouse):
    items = {r["issue_key"]: r for r in query(warehouse, "select * from marts.flow_items")}
    assert items["PAY-1"]["first_deployment_id"] == dep(D1)
    assert items["PAY-1"]["first_deployed_at"] == datetime(2026, 7, 2, 12, 10)
    assert items["PAY-1"]["idea_to_production_hours"] == approx(12 * 24 + 12 + 10 / 60)
    assert items["PAY-2"]["first_deployment_id"] == dep(D2)  # the open PR #9 shipped nothing
    assert items["OPS-9"]["first_deployment_id"] == dep(D3)  # via its old key in a direct push
    assert items["MOB-1"]["first_deployment_id"] == "demo-github:run:7001"
    assert items["MOB-2"]["first_deployed_at"] is None and items["MOB-2"]["idea_to_production_hours"] is None


def test_commits_mart(warehouse):
    rows = {r["sha"]: r for r in query(warehouse, "select * from marts.commits where repository = ?", [PAY])}
    v5 = rows[sha(PAY, "v5")]
    assert (v5["is_revert"], v5["revert_of_sha"], v5["first_deployment_id"]) == (
        True,
        sha(PAY, "t4"),
        dep(D6),
    )
    m1 = rows[sha(PAY, "m1")]
    assert (m1["is_merge"], m1["parent_count"], m1["change_id"], m1["pull_request_link_method"]) == (
        True,
        2,
        f"{PAY}#1",
        "merge_commit",
    )
    assert rows[sha(PAY, "w9")]["first_deployment_id"] is None  # only on a branch and a preview
    assert rows[sha(PAY, "f1a")]["authored_at"] == datetime(2026, 7, 1, 9, 0)  # 11:00+02:00 stored as UTC
