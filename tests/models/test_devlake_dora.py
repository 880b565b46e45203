"""Apache DevLake's DORA step fixtures, replayed through our raw contract and models.

DevLake's fixtures are its domain tables (cicd_deployment_commits, pull_requests, commits_diffs …),
not API payloads. Each test translates them into the payloads our extractors land — GitHub
deployments with statuses, workflow runs, pull requests with their commits and reviews, a git history
whose ancestry yields DevLake's commits_diffs, PagerDuty incidents — builds the warehouse once, and
compares our marts with DevLake's expected output where the definitions agree. Where they differ on
purpose (DEVELOPERS.md, "DORA definitions we chose" → "DevLake parity"), the test asserts our value
and names the difference.

Translation, throughout: a DevLake (cicd_scope, repo_url) pair is one of our repositories
(``<scope>/<repo>``, lower case); a DevLake project is one of our services (services.csv lists its
repositories and, for incidents, its boards and repos as PagerDuty service ids); a DevLake deployment
commit row is a GitHub deployment record whose id is the row's id; DevLake's minutes are ceil(hours × 60).
The warehouse runs with var dora_count_first_deployment_changes = false, DevLake's behaviour.

Reads ../shared/realdata/devlake/dora; skipped cleanly when it is absent.
"""

from __future__ import annotations

import csv
import math
from datetime import datetime, timedelta

import duckdb
import pytest

from tests.support.dbt import copy_mappings, run_dbt
from tests.support.realdata import realdata_path

from .delivery_payloads import DeliveryFixture
from .jira_payloads import query

pytestmark = pytest.mark.pipeline

GITHUB = "devlake-github"
PAGERDUTY = "devlake-pagerduty"
PS, CLT, DG = "ps", "clt", "dg"  # repository prefixes of the three fixture families
ID_BASE = {PS: 1000, CLT: 2000}


def rows(*parts: str) -> list[dict]:
    with realdata_path("dora", *parts).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def when(text: str) -> str | None:
    """DevLake's timestamp formats ('2023-04-10T06:51:47.000+00:00', '2023-4-10 6:51:47') → our
    fixtures' '2023-04-10 06:51:47' (UTC)."""
    if not text:
        return None
    text = text.replace("T", " ").split(".")[0].split("+")[0]
    date_part, time_part = text.split(" ")
    y, m, d = (int(x) for x in date_part.split("-"))
    hh, mm, ss = (int(x) for x in time_part.split(":"))
    return datetime(y, m, d, hh, mm, ss).strftime("%Y-%m-%d %H:%M:%S")


def repo_name(prefix: str, scope: str, repo_url: str) -> str:
    return f"{prefix}-{scope}/{repo_url}".lower()


def minutes(hours: float | None) -> int | None:
    """DevLake's computeTimeSpan: ceil of the minutes; NULL when negative (we NULL those too)."""
    return None if hours is None else int(math.ceil(round(hours * 60, 6)))


# ---- the fixture families ----------------------------------------------------------------------
def land_deployment_commits(f: DeliveryFixture, prefix: str, table: list[dict]) -> None:
    """cicd_deployment_commits rows → GitHub deployment records (id = 1000/2000 + row id)."""
    for row in table:
        repository = repo_name(prefix, row["cicd_scope_id"], row["repo_url"])
        finished = when(row["finished_date"])
        state = "success" if row["result"] == "SUCCESS" else "failure"
        f.deployment(
            repository,
            row["commit_sha"],
            row["environment"],
            when(row["started_date"]),
            [(state, finished)] if finished else [],
            deployment_id=ID_BASE[prefix] + int(row["id"]),
            ref=row["cicd_deployment_id"],
        )


def land_change_lead_time(f: DeliveryFixture) -> None:
    """The change_lead_time fixture: deployments, a git history whose ancestry gives DevLake's
    commits_diffs, and pull requests (comments become reviews)."""
    deployments = rows("change_lead_time", "cicd_deployment_commits.csv")
    land_deployment_commits(f, CLT, deployments)
    by_sha = {d["commit_sha"]: d for d in deployments}

    def repo(sha: str) -> str:
        d = by_sha[sha]
        return repo_name(CLT, d["cicd_scope_id"], d["repo_url"])

    # chains (oldest first) that put every PR merge commit in the diff DevLake lists for it:
    # (''→commit1: pmc0), (commit1→commit5: pmc1, pmc2), (commit2→commit6: pmc3),
    # (commit7→commit8: pmc4, staging), (''→commit11: pmc5, a failed deployment)
    chains = [
        ["pr_merge_commit0", "commit1", "pr_merge_commit1", "pr_merge_commit2", "commit5", "commit9"],
        ["commit2", "pr_merge_commit3", "commit6", "commit10"],
        ["commit7", "pr_merge_commit4", "commit8"],
        ["pr_merge_commit5", "commit11"],
        ["commit3", "commit13"],
        ["commit4", "commit12"],
        ["commit14"],
        ["commit15"],
        ["commit16"],
    ]
    merge_repo = {}
    for chain in chains:
        repository = repo(next(c for c in chain if c in by_sha))
        git = f.repo(repository, f"git-{repository.replace('/', '-')}")
        parent: list[str] = []
        for position, label in enumerate(chain):
            at = (datetime(2022, 1, 1) + timedelta(days=position)).strftime("%Y-%m-%d %H:%M")
            git.commit(label, parent, at, f"commit {label}", sha=label)
            parent = [label]
            if label.startswith("pr_merge_commit"):
                merge_repo[label] = repository

    commits_by_pr: dict[str, list[dict]] = {}
    for row in rows("change_lead_time", "pull_request_commits.csv"):
        commits_by_pr.setdefault(row["pull_request_id"], []).append(row)
    comments: dict[str, list[dict]] = {}
    for row in rows("change_lead_time", "pull_request_comments.csv"):
        comments.setdefault(row["pull_request_id"], []).append(row)
    for number, pr in enumerate(rows("change_lead_time", "pull_requests.csv"), start=1):
        repository = merge_repo.get(pr["merge_commit_sha"], repo_name(CLT, "cicd1", "repo111"))
        listed: list[dict] = []
        for c in commits_by_pr.get(pr["id"], []):  # listed in order, each on top of the previous
            listed.append(
                {
                    "sha": c["commit_sha"],
                    "parents": [listed[-1]["sha"]] if listed else [],
                    "author": {
                        "name": "Dev",
                        "email": "dev@example.com",
                        "date": when(c["commit_authored_date"]).replace(" ", "T") + "Z",
                    },
                    "committer": {
                        "name": "Dev",
                        "email": "dev@example.com",
                        "date": when(c["commit_authored_date"]).replace(" ", "T") + "Z",
                    },
                    "message": f"work of {pr['id']}",
                }
            )
        pr_id = 3000 + number
        merged = when(pr["merged_date"])
        f.pull_request(
            repository,
            number,
            title=pr["id"],
            head_ref=f"branch-{pr['id']}",
            author=pr["author_id"] or "nobody",
            created_at=when(pr["created_date"]),
            commits=[c["sha"] for c in listed],
            merged_at=merged,
            merge_commit=pr["merge_commit_sha"] if merged else None,
            pr_id=pr_id,
        )
        f.pr_commits(repository, pr_id, listed)
        for comment in comments.get(pr["id"], []):
            f.review(
                repository, pr_id, number, comment["account_id"], when(comment["created_date"]), "COMMENTED"
            )


def land_incidents(f: DeliveryFixture) -> None:
    """connect_incident_to_deployment: incidents on a repo or board scope → PagerDuty incidents whose
    service id is that scope (services.csv maps scopes to projects)."""
    for row in rows("connect_incident_to_deployment", "raw_tables", "incidents.csv"):
        f.incident(
            row["id"],
            row["scope_id"],
            f"incident {row['id']}",
            when(row["created_date"]),
            resolved_at=when(row["updated_date"]),
        )


def land_pipelines(f: DeliveryFixture) -> None:
    """deployment_generator: GitLab pipelines → workflow runs named after the pipeline's type and
    environment ("deploy PRODUCTION", "deploy", "build"); jobs are not in our raw contract."""
    commits = {r["pipeline_id"]: r for r in rows("deployment_generator", "cicd_pipeline_commits.csv")}
    repository = f"{DG}-cicd1/snowflake_spend"
    for pipeline in rows("deployment_generator", "cicd_pipelines.csv"):
        name = "deploy" if pipeline["type"] == "DEPLOYMENT" else "build"
        if pipeline["type"] == "DEPLOYMENT" and pipeline["environment"]:
            name += " " + pipeline["environment"]
        conclusion = {"SUCCESS": "success", "FAILURE": "failure", "SKIPPED": "skipped"}[pipeline["result"]]
        finished = when(pipeline["finished_date"]) if pipeline["status"] == "DONE" else None
        started = when(pipeline["created_date"])
        run_id = int(pipeline["id"].split(":")[-1])
        f.workflow_run(
            repository,
            run_id,
            name,
            commits[pipeline["id"]]["commit_sha"],
            started,
            [(conclusion, started, finished)],
            head_branch=commits[pipeline["id"]]["branch"],
        )


SERVICES = """service,repository,git_source,github_source,pagerduty_source,pagerduty_service_id,description
ps-project1,ps-cicd1/repo111,,,,repo1,
ps-project1,ps-cicd1/repo222,,,,repo2,
ps-project1,ps-cicd2/repo111,,,,board1,
ps-project1,ps-cicd2/repo333,,,,,
ps-project2,ps-cicd3/repo111,,,,repo3,
ps-project2,ps-cicd3/repo333,,,,,
"""
DEPLOYMENT_SOURCES = """source,repository,kind,workflow_name_pattern,environment,description
*,*,github_deployments,,,
devlake-github,dg-cicd1/snowflake_spend,workflow_runs,^deploy production$,PRODUCTION,
devlake-github,dg-cicd1/snowflake_spend,workflow_runs,^deploy$,,
"""


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    realdata_path("dora")  # skip the module cleanly when the real data is absent
    work = tmp_path_factory.mktemp("devlake_dora")
    path = work / "warehouse.duckdb"
    f = DeliveryFixture(github_source=GITHUB, pagerduty_source=PAGERDUTY)
    land_deployment_commits(
        f, PS, rows("prev_success_deployment_commit", "cicd_deployment_commits_before.csv")
    )
    land_change_lead_time(f)
    land_incidents(f)
    land_pipelines(f)
    con = duckdb.connect(str(path))
    try:
        f.land(con)
    finally:
        con.close()
    mappings = copy_mappings(work / "mappings")
    (mappings / "services.csv").write_text(SERVICES)
    (mappings / "deployment_sources.csv").write_text(DEPLOYMENT_SOURCES)
    result = run_dbt(
        path,
        ["build", "--select", "+marts.delivery", "--indirect-selection", "cautious"],
        vars={"as_of": "2023-06-01T00:00:00Z", "dora_count_first_deployment_changes": False},
        mappings_dir=mappings,
        work_dir=work,
    )
    assert result.ok, "\n".join(result.failures()) + "\n" + result.output[-6000:]
    return path


def deployment_rows(warehouse, prefix: str) -> dict[int, dict]:
    out = {}
    for row in query(warehouse, "select * from marts.deployments where repository like ?", [f"{prefix}-%"]):
        out[int(row["github_deployment_id"]) - ID_BASE[prefix]] = row
    return out


def devlake_id(deployment_id: str | None, prefix: str) -> str:
    return "" if deployment_id is None else str(int(deployment_id.split(":")[-1]) - ID_BASE[prefix])


# ---- prev_success_deployment_commit ------------------------------------------------------------
def test_previous_successful_deployment_matches_devlake(warehouse):
    """Same definition: the previous successful deployment to the same repository and environment
    type, by finished time; failed deployments have none."""
    ours = deployment_rows(warehouse, PS)
    expected = {
        int(r["id"]): r["prev_success_deployment_commit_id"]
        for r in rows("prev_success_deployment_commit", "cicd_deployment_commits_after.csv")
    }
    assert set(ours) == set(expected)
    assert {i: devlake_id(d["previous_successful_deployment_id"], PS) for i, d in ours.items()} == expected
    # DevLake only reports tiers by their upper-case names; ours are the normalised environment tiers
    assert ours[8]["tier"] == "staging" and ours[1]["tier"] == "production" and ours[16]["tier"] == "unknown"
    assert ours[11]["status"] == "failure" and not ours[11]["is_dora_deployment"]


# ---- connect_incident_to_deployment ------------------------------------------------------------
def test_incidents_connect_to_the_nearest_preceding_deployment_like_devlake(warehouse):
    pipelines = {
        int(r["id"]): r["cicd_deployment_id"]
        for r in rows(
            "connect_incident_to_deployment",
            "prev_success_deployment_commit",
            "cicd_deployment_commits_after.csv",
        )
    }
    links = query(
        warehouse,
        "select incident_id, deployment_id, attribution_method from marts.deployment_failures "
        "where incident_id is not null and deployment_id like '%:deployment:1%'",
    )
    ours = {r["incident_id"]: pipelines[int(devlake_id(r["deployment_id"], PS))] for r in links}
    assert {r["attribution_method"] for r in links} == {"nearest_preceding"}
    expected = {
        r["id"]: r["deployment_id"]
        for r in rows(
            "connect_incident_to_deployment",
            "snapshot_tables",
            "project_incident_deployment_relationships.csv",
        )
    }
    # DevLake's fixture runs the step for project1 only; its project2 incident (scope repo3) gets our
    # link to project2's latest production deployment (row 15, pipeline9)
    project2 = "github:GithubIssue:1:1373792477"
    assert ours.pop(project2) == "pipeline9"
    assert ours == expected


# ---- change_lead_time --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def pr_metrics(warehouse):
    prs = query(
        warehouse,
        "select * from marts.pull_requests where repository like 'clt-%' and is_merged",
    )
    return {row["title"]: row for row in prs}


@pytest.fixture(scope="module")
def devlake_metrics():
    return {row["id"]: row for row in rows("change_lead_time", "project_pr_metrics.csv")}


def value(text: str) -> int | None:
    return int(text) if text else None


@pytest.mark.parametrize("part", ["coding", "pickup", "review", "deploy"])
def test_pr_breakdown_matches_devlake(pr_metrics, devlake_metrics, part):
    """coding, pickup, review and deploy agree PR by PR (DevLake's minutes are ceil(hours × 60);
    both leave negative spans out). Their first review is the first comment by someone other than
    the author; ours the first review, so comments were landed as COMMENTED reviews."""
    assert set(pr_metrics) == set(devlake_metrics)
    for pr_id, ours in pr_metrics.items():
        assert minutes(ours[f"{part}_hours"]) == value(devlake_metrics[pr_id][f"pr_{part}_time"]), (
            pr_id,
            part,
        )


def test_pr_deployment_matches_devlake(pr_metrics, devlake_metrics):
    """The deployment that shipped a PR: the first successful production deployment whose change set
    (by ancestry from the previous successful one) holds its merge commit. Staging (pr4) and failed
    (pr5) deployments do not ship; nor does a service's first deployment here (pr0), as in DevLake."""
    for pr_id, expected in devlake_metrics.items():
        ours = pr_metrics[pr_id]["deployment_id"]
        assert devlake_id(ours, CLT) == expected["deployment_commit_id"], pr_id
    # pr3's deployment finished before the PR was merged (inconsistent clocks in the fixture): both
    # keep the deployment and leave the deploy time out; we flag the negative span
    assert pr_metrics["pr3"]["deploy_hours"] is None and pr_metrics["pr3"]["has_negative_span"]


def test_first_commit_matches_devlake(pr_metrics, devlake_metrics):
    for pr_id, expected in devlake_metrics.items():
        assert pr_metrics[pr_id]["first_commit_at"] == datetime.fromisoformat(
            when(expected["first_commit_authored_date"])
        ), pr_id


def test_cycle_time_differs_from_devlake_on_purpose(pr_metrics, devlake_metrics):
    """DevLake's pr_cycle_time is coding + (opened → merged) + deploy, summing the parts it has, so an
    undeployed PR gets a cycle time to its merge and a PR whose first commit follows its opening starts
    at the opening. Ours is first commit → the deployment that shipped it: NULL when not shipped.
    They agree when every part is there and positive (pr1)."""
    assert minutes(pr_metrics["pr1"]["cycle_hours"]) == value(devlake_metrics["pr1"]["pr_cycle_time"]) == 4478
    for pr_id in ("pr0", "pr4", "pr5"):  # merged, never shipped to production
        assert pr_metrics[pr_id]["cycle_hours"] is None and value(devlake_metrics[pr_id]["pr_cycle_time"])
    # pr2: first commit after the PR was opened; ours runs from that commit (2.62 h), DevLake from
    # the opening (1598 min)
    assert minutes(pr_metrics["pr2"]["cycle_hours"]) == 158
    assert value(devlake_metrics["pr2"]["pr_cycle_time"]) == 1598
    # pr3: deployed before merged; ours first commit → deployment (8799 min), DevLake skips deploy
    assert minutes(pr_metrics["pr3"]["cycle_hours"]) == 8799
    assert value(devlake_metrics["pr3"]["pr_cycle_time"]) == 10203


def test_first_deployment_is_a_baseline_like_devlake(warehouse):
    """With dora_count_first_deployment_changes false (DevLake's behaviour) the first production
    deployment of a repository is a baseline: its change set is computed (everything it reaches) but
    its changes get no lead time. By default we count them (DEVELOPERS.md)."""
    first = query(
        warehouse,
        "select change_count, is_first_of_service from marts.deployments where github_deployment_id = ?",
        [str(ID_BASE[CLT] + 1)],
    )[0]
    assert first == {"change_count": 2, "is_first_of_service": True}  # pr_merge_commit0, commit1
    shipped = query(
        warehouse,
        "select count(*) as n from marts.change_lead_times where deployment_id = ?",
        [f"{GITHUB}:deployment:{ID_BASE[CLT] + 1}"],
    )
    assert shipped == [{"n": 0}]


def test_change_sets_are_devlake_commits_diffs(warehouse):
    """Our deployment_changes for the deployments DevLake diffs hold the PR merge commits of its
    commits_diffs (plus the deployment commits themselves, which DevLake's hand-made fixture omits)."""
    expected: dict[str, set[str]] = {}
    for row in rows("change_lead_time", "commits_diffs.csv"):
        if row["old_commit_sha"]:
            expected.setdefault(row["new_commit_sha"], set()).add(row["commit_sha"])
    changes = query(
        warehouse,
        "select d.sha as deployed_sha, c.sha from marts.deployment_changes c "
        "join marts.deployments d using (deployment_id) where d.repository like 'clt-%'",
    )
    ours: dict[str, set[str]] = {}
    for row in changes:
        ours.setdefault(row["deployed_sha"], set()).add(row["sha"])
    for new_sha, merge_commits in expected.items():
        if new_sha == "commit8":  # a staging deployment: we compute change sets for production only
            assert new_sha not in ours
            continue
        assert ours[new_sha] - {new_sha} == merge_commits, new_sha


# ---- deployment_generator ----------------------------------------------------------------------
def test_deployments_from_pipelines_match_devlake_where_named(warehouse):
    """DevLake makes a deployment of every pipeline that is a DEPLOYMENT or has a deployment *job*,
    with result SUCCESS or FAILURE. We have no jobs in the raw contract: a run is a deployment when
    its workflow name matches deployment_sources. The pipelines DevLake found by their type agree
    (result, environment, SHA, finish); the two it found only through jobs (457475337, 485877118)
    are not deployments for us; skipped pipelines are none for either."""
    expected = {
        r["cicd_deployment_id"].split(":")[-1]: r
        for r in rows("deployment_generator", "cicd_deployment_commits.csv")
    }
    ours = {
        r["workflow_run_id"]: r
        for r in query(warehouse, "select * from marts.deployments where repository like 'dg-%'")
    }
    assert set(expected) - set(ours) == {"457475337", "485877118"}
    assert set(ours) <= set(expected)
    for run_id, row in ours.items():
        devlake = expected[run_id]
        assert row["status"] == devlake["result"].lower(), run_id
        assert (row["environment"] or "") == devlake["environment"], run_id
        assert row["sha"] == devlake["commit_sha"], run_id
        assert row["finished_at"] == datetime.fromisoformat(when(devlake["finished_date"])), run_id
    assert ours["485932863"]["tier"] == "unknown" and ours["485811050"]["tier"] == "production"
