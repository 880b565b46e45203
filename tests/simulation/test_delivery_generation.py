"""The delivery side as generated: deterministic from the seed, consistent with the Jira milestones,
and a ground truth that holds together (disjoint change sets, deployed changes, non-negative times,
every edge case at any size)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from collections import Counter
from datetime import timedelta

import pytest

from extractors.simulation import OrgConfig, SimulatedOrganisation
from extractors.simulation.delivery.catalog import REPOSITORIES
from extractors.simulation.delivery.truth import DELIVERY_EDGE_CASES, NEAREST, ROOT_CAUSE

SMALL = OrgConfig(flow_items=120)

FINGERPRINT = """
import hashlib
from extractors.simulation import OrgConfig, SimulatedOrganisation
org = SimulatedOrganisation.generate(OrgConfig(flow_items=120))
d = org.delivery
parts = [c.sha for h in d.repos for c in h.commits]
parts += [f"{x.id}:{x.sha}:{x.environment}" for h in d.repos for x in h.deployments]
parts += [f"{i.id}:{i.number}" for i in d.incidents]
print(hashlib.sha256("\\n".join(parts).encode()).hexdigest())
"""


def fingerprint_in_subprocess(hash_seed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    done = subprocess.run(
        [sys.executable, "-c", FINGERPRINT],
        capture_output=True,
        text=True,
        env=env,
        check=True,
        cwd=os.getcwd(),
    )
    return done.stdout.strip()


def test_same_seed_same_history_in_any_process():
    assert fingerprint_in_subprocess("1") == fingerprint_in_subprocess("4242")


def test_same_seed_same_model_and_another_seed_another(small_org):
    again = SimulatedOrganisation.generate(SMALL).delivery
    other = SimulatedOrganisation.generate(OrgConfig(seed=8, flow_items=120)).delivery
    mine = small_org.delivery
    assert [c.sha for h in again.repos for c in h.commits] == [c.sha for h in mine.repos for c in h.commits]
    assert [(d.id, d.sha) for h in again.repos for d in h.deployments] == [
        (d.id, d.sha) for h in mine.repos for d in h.deployments
    ]
    assert {c.sha for h in other.repos for c in h.commits}.isdisjoint(
        c.sha for h in mine.repos for c in h.commits
    )


def test_generation_is_lazy_and_leaves_jira_alone():
    org = SimulatedOrganisation.generate(SMALL)
    assert org._delivery is None
    before = org.jira_truth()
    _ = org.delivery
    after = org.jira_truth()
    assert before.items.keys() == after.items.keys()
    assert all(before.items[k] == after.items[k] for k in before.items)


def test_both_repositories_and_services(small_org):
    names = [h.repo.full_name for h in small_org.delivery.repos]
    assert names == ["acme/payments-service", "acme/mobile-app"]
    assert [(r.service, r.pagerduty_id, r.git_source) for r in REPOSITORIES] == [
        ("payments-api", "PPAY001", "demo-git-payments"),
        ("mobile-backend", "PMOB001", "demo-git-mobile"),
    ]
    for history in small_org.delivery.repos:
        keys = Counter(p.issue_key.split("-")[0] for p in history.pulls if p.issue_key)
        assert keys[history.repo.project_key] > 0 and keys["PLAT"] > 0
        other = "MOB" if history.repo.project_key == "PAY" else "PAY"
        assert keys[other] <= 1  # only a moved issue may carry the other team's key


@pytest.mark.parametrize("org_fixture", ["small_org", "default_org"])
def test_pull_requests_follow_the_jira_milestones(org_fixture, request):
    org = request.getfixturevalue(org_fixture)
    milestones = org.jira.delivery_milestones()
    ids = [str(int(x)) for x in org.jira.model.issue_id.tolist()]
    truth = org.delivery_truth()
    checked = 0
    for history in org.delivery.repos:
        for p in history.pulls:
            if p.kind != "feature":
                continue
            m = milestones[ids[p.issue]]
            own = [history.by_sha[s] for s in p.final_commits]
            assert min(c.author_ms for c in own) >= _ms(m.dev_start_at)
            ready = p.ready_at()
            if ready is not None and m.review_start_at is not None:
                assert ready >= _ms(m.review_start_at)  # the PR is opened (or marked ready) at review start
            if p.merged_ms is not None:
                assert p.merged_ms > max(c.author_ms for c in own if c.kind == "work")
                change = truth.changes.get(f"{history.repo.full_name}#{p.number}")
                if change is not None and m.release_at is not None:
                    assert change.deployed_at >= m.release_at  # production at or after the Jira release
                    checked += 1
    assert checked > 50


def _ms(moment) -> int:
    from extractors.simulation.timeutil import to_ms

    return to_ms(moment)


@pytest.mark.parametrize("org_fixture", ["small_org", "default_org"])
def test_every_edge_case_is_present(org_fixture, request):
    truth = request.getfixturevalue(org_fixture).delivery_truth()
    assert set(DELIVERY_EDGE_CASES) <= truth.edge_cases(), set(DELIVERY_EDGE_CASES) - truth.edge_cases()


@pytest.mark.parametrize("org_fixture", ["small_org", "default_org"])
def test_change_sets_are_disjoint_and_every_change_is_deployed(org_fixture, request):
    org = request.getfixturevalue(org_fixture)
    truth = org.delivery_truth()
    for repo in REPOSITORIES:
        seen: set[str] = set()
        for d in truth.production_deployments(repo.service):
            assert seen.isdisjoint(d.first_deployed_shas), d.id
            seen |= set(d.first_deployed_shas)
            assert set(d.first_deployed_shas) <= set(d.change_set)
            assert set(d.change_set) <= seen
            if set(d.change_set) != set(d.first_deployed_shas):  # commits shipped again after a rollback
                assert truth.deployments[d.previous_deployment_id].is_rollback
    in_sets = {sha for d in truth.production_deployments() for sha in d.first_deployed_shas}
    assert in_sets == {c.sha for c in truth.commits.values() if c.deployment_id is not None}
    for change in truth.changes.values():
        d = truth.deployments[change.deployment_id]
        assert d.is_production and d.repository == change.repository
        assert change.deployed_at == d.finished_at
        assert change.lead_time_seconds >= 0
        assert set(change.shas) & set(d.first_deployed_shas)
        for sha in change.shas:
            assert truth.commits[sha].in_clone
            assert truth.deployments[truth.commits[sha].deployment_id].finished_at >= d.finished_at
    assert sum(len(c.shas) for c in truth.changes.values()) == len(in_sets)


@pytest.mark.parametrize("org_fixture", ["small_org", "default_org"])
def test_pull_request_breakdown_is_non_negative(org_fixture, request):
    truth = request.getfixturevalue(org_fixture).delivery_truth()
    merged = [p for p in truth.pull_requests.values() if p.state == "merged"]
    assert merged
    for p in merged:
        for name in ("coding_seconds", "pickup_seconds", "review_seconds", "deploy_seconds"):
            value = getattr(p, name)
            assert value is None or value >= 0, (p.repository, p.number, name, value)
        assert p.pickup_seconds is not None  # every merged PR had a human review
        if p.deployment_id is not None:
            assert truth.changes[f"{p.repository}#{p.number}"].deployment_id == p.deployment_id


def test_deployment_flags_agree_with_what_the_data_shows(default_org):
    truth = default_org.delivery_truth()
    commits = {h.repo.full_name: h.by_sha for h in default_org.delivery.repos}

    def ancestors(repo: str, sha: str) -> set[str]:
        seen, stack = set(), [sha]
        while stack:
            s = stack.pop()
            if s not in seen:
                seen.add(s)
                stack.extend(commits[repo][s].parents)
        return seen

    for service in ("payments-api", "mobile-backend"):
        shipped: dict[str, set[str]] = {}  # environment → SHAs deployed there
        last: dict[str, str] = {}
        for d in truth.production_deployments(service):
            before = shipped.setdefault(d.environment, set())
            assert d.is_redeploy == (d.sha in before)
            assert d.is_rollback == (d.sha in before and last[d.environment] != d.sha)
            if d.is_rollback:  # back to an ancestor of what ran
                assert d.sha in ancestors(d.repository, last[d.environment])
            assert d.is_hotfix == d.ref.startswith("hotfix/")
            if d.is_redeploy or d.environment == "prod-eu":
                assert d.change_set == () and d.first_deployed_shas == ()
            before.add(d.sha)
            last[d.environment] = d.sha
    failed = [d for d in truth.deployments.values() if "failed_deployment" in d.edge_cases]
    assert failed and all(not d.succeeded and d.status == "failure" and not d.change_set for d in failed)
    assert {d.kind for d in truth.production_deployments() if d.is_rollback} == {"rollback"}
    assert {d.kind for d in truth.production_deployments() if d.is_redeploy and not d.is_rollback} == {
        "redeploy"
    }


def test_failure_links_follow_the_methods_in_precedence(default_org):
    truth = default_org.delivery_truth()
    by_method = Counter(link.method for link in truth.failure_links)
    assert set(by_method) == {"explicit", "root_cause_sha", "nearest_preceding", "revert", "rollback"}
    remediation = [link for link in truth.failure_links if link.incident_id is None]
    assert {link.method for link in remediation} == {"revert", "rollback"}
    assert all(link.remediation_deployment_id is not None for link in remediation)
    for incident in truth.incidents.values():
        methods = {link.method for link in truth.failure_links if link.incident_id == incident.id}
        assert len(methods) <= 1
        for deployment_id in incident.deployment_ids:
            d = truth.deployments[deployment_id]
            assert d.is_production and d.service == incident.service
            if incident.attribution_method == NEAREST:
                assert d.finished_at <= incident.created_at
    two = [i for i in truth.incidents.values() if "incident_two_deployments" in i.edge_cases]
    assert two and all(len(i.deployment_ids) == 2 for i in two)
    none = [i for i in truth.incidents.values() if "incident_no_cause" in i.edge_cases]
    assert none and all(i.attribution_method is None for i in none)
    # with fewer methods in force, the same incidents fall back to the next one
    only_nearest = default_org.delivery_truth(methods=(NEAREST,))
    assert {link.method for link in only_nearest.failure_links} == {NEAREST}
    assert len(only_nearest.incidents) == len(truth.incidents)
    root = default_org.delivery_truth(methods=(ROOT_CAUSE,))
    assert {link.method for link in root.failure_links} == {ROOT_CAUSE}
    rate = truth.change_fail_rate()
    assert rate is not None and 0 < rate < 0.5


def test_planted_scenarios(default_org):
    truth = default_org.delivery_truth()
    scenario = {i.scenario: i for i in truth.incidents.values()}
    rollback = next(d for d in truth.deployments.values() if d.is_rollback)
    assert scenario["rollback"].resolved_at > rollback.finished_at  # resolved by the rollback
    assert scenario["rollback"].attribution_method == "explicit"
    undone = [link for link in truth.failure_links if link.method == "rollback" and link.incident_id is None]
    assert [link.remediation_deployment_id for link in undone] == [rollback.id]
    assert undone[0].deployment_id in scenario["rollback"].deployment_ids
    hotfix = next(d for d in truth.deployments.values() if d.is_hotfix)
    assert scenario["hotfix"].attribution_method == "root_cause_sha"
    assert scenario["hotfix"].resolved_at > hotfix.finished_at
    assert "hotfix" in hotfix.rework_reasons and len(hotfix.first_deployed_shas) == 1
    revert = next(d for d in truth.production_deployments() if "revert" in d.rework_reasons)
    assert scenario["revert"].resolved_at > revert.finished_at
    assert scenario["revert"].attribution_method == "revert"  # a revert shipped while it was open
    revert_link = next(
        link for link in truth.failure_links if link.method == "revert" and not link.incident_id
    )
    assert truth.deployments[revert_link.deployment_id].finished_at < revert.finished_at
    assert revert_link.remediation_deployment_id == revert.id
    redeploy = next(d for d in truth.deployments.values() if d.kind == "redeploy")
    assert redeploy.is_redeploy and not redeploy.is_rollback
    assert redeploy.change_set == () and redeploy.is_production
    flaky = [d for d in truth.deployments.values() if "flaky_rerun" in d.edge_cases]
    assert len(flaky) == 1 and flaky[0].succeeded and flaky[0].attempt_count == 2  # a re-run: one deployment
    assert len(flaky[0].record_ids) == 2 and flaky[0].id == max(flaky[0].record_ids)


def test_items_link_to_pull_requests_and_first_deployments(default_org):
    truth = default_org.delivery_truth()
    linked = [it for it in truth.items.values() if it.pull_requests]
    assert len(linked) > 1000
    methods = Counter(m for it in linked for m in it.link_methods)
    assert methods["branch"] and methods["pr_title"] and methods["commit_message"]
    for it in linked:
        if it.first_deployed_at is not None:
            assert it.first_commit_at is not None and it.first_deployed_at >= it.first_commit_at
            d = truth.deployments[it.first_deployment_id]
            assert d.is_production and d.finished_at == it.first_deployed_at


def test_truth_as_of_an_earlier_instant(small_org):
    end = small_org.delivery_truth()
    mid = small_org.delivery_truth(as_of=small_org.clock - timedelta(days=60))
    assert len(mid.production_deployments()) < len(end.production_deployments())
    assert all(d.finished_at <= mid.as_of for d in mid.production_deployments())
    for d in mid.production_deployments():  # the early deployments shipped the same changes
        assert end.deployments[d.id].change_set == d.change_set
    assert all(c.committer_at <= mid.as_of for c in mid.commits.values())


def test_default_organisation_generates_and_writes_quickly(tmp_path):
    started = time.perf_counter()
    org = SimulatedOrganisation.generate(OrgConfig())
    _ = org.delivery
    paths = org.write_git_repositories(tmp_path)
    elapsed = time.perf_counter() - started
    assert elapsed < 20, f"{elapsed:.1f}s"
    assert set(paths) == {"acme/payments-service", "acme/mobile-app"}
    digest = hashlib.sha256()
    for path in paths.values():
        digest.update((path / ".git" / "streamgauge-simulation").read_bytes())
    assert digest.hexdigest()
