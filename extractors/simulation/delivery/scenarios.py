"""Planted delivery scenarios, each riding on the first suitable release train after a fraction of
the period, so every edge case exists at any size:

payments-service
  * 0.30 ``rollback``: an incident names the deployment; it is rolled back to the previous release and
    fixed forward before the next train.
  * 0.38 ``flaky_rerun``: the production job fails, is re-run (attempt 2 of the same run) and succeeds.
  * 0.55 ``revert``: an incident names nothing; the culprit PR is reverted and deployed on demand.
  * 0.67 ``two_deployments``: an incident names this train's deployment and the next one's.
mobile-app
  * 0.20 ``failed_deployment``: the production deployment fails; the next train ships its changes.
  * 0.40 a flaky ``ci`` run on main (failure, then success on attempt 2).
  * 0.45 ``hotfix``: an incident's root cause names a commit; a hotfix branch from the deployed SHA
    is merged back and deployed from the branch.
  * 0.52 ``redeploy``: the running release is deployed again (same SHA) three hours later.
"""

from __future__ import annotations

from extractors.simulation.delivery.catalog import MERGE, SQUASH
from extractors.simulation.delivery.history import FAILED, FLAKY, Hook, RepoSimulator
from extractors.simulation.delivery.identities import WEB_FLOW
from extractors.simulation.delivery.incidents import blamed_commit, blamed_pull, make_incident, resolve
from extractors.simulation.delivery.model import (
    FIX_PR,
    HOTFIX,
    HOTFIX_PR,
    ON_DEMAND,
    REVERT,
    REVERT_PR,
    Deployment,
)
from extractors.simulation.delivery.plan import PullPlan, sec, slug
from extractors.simulation.timeutil import HOUR_MS, MINUTE_MS


def install(sim: RepoSimulator) -> None:
    config = sim.config

    def at(fraction: float) -> int:
        return config.start_ms + int(fraction * (config.end_ms - config.start_ms))

    if sim.repo.index == 0:
        sim.hooks += [
            Hook("rollback", at(0.30), post=rollback, needs_feature_pr=True),
            Hook("flaky_rerun", at(0.38), pre=FLAKY),
            Hook("revert", at(0.55), post=revert, needs_feature_pr=True),
            Hook("two_deployments", at(0.67), post=two_deployments),
        ]
    else:
        sim.hooks += [
            Hook("failed_deployment", at(0.20), pre=FAILED),
            Hook("hotfix", at(0.45), post=hotfix, needs_feature_pr=True),
            Hook("redeploy", at(0.52), post=redeploy),
        ]
        sim.flaky_ci_after = at(0.40)


def _reviewer(sim: RepoSimulator, author):
    return next(d for d in sim.developers if d is not author)


def rollback(sim: RepoSimulator, y: Deployment) -> None:
    previous = sim.prod_history[-2] if len(sim.prod_history) > 1 else None
    pr = blamed_pull(sim.deploy_pulls[y])
    if previous is None or previous.sha == y.sha or pr is None:
        return
    oncall, reviewer = pr.author, _reviewer(sim, pr.author)
    t = y.finished_ms + 14 * MINUTE_MS
    incident = make_incident(
        sim.repo.index,
        "Card payments failing with HTTP 502",
        "Checkout error rate above 20 % for card payments",
        t,
        oncall,
        scenario="rollback",
        acknowledged_ms=t + 3 * MINUTE_MS,
        notes=((t + 9 * MINUTE_MS, ("Rolling back deployment ", y, f" ({y.ref}).")),),
    )
    sim.incidents.append(incident)
    rollback_ms = t + 20 * MINUTE_MS

    def roll_back(ms: int) -> None:
        d = sim.rollback(ms, previous, y)
        sim.scenario_deployments[d] = "rollback"
        resolve(incident, d.finished_ms + 8 * MINUTE_MS, oncall)

    sim.at(rollback_ms, roll_back)
    key = pr.issue_key
    fix = PullPlan(
        repo=sim.repo,
        kind=FIX_PR,
        author=pr.author,
        branch=f"bugfix/{key}-fix-card-regression" if key else "bugfix/fix-card-regression",
        title=f"{key}: Fix card payment regression" if key else "Fix card payment regression",
        body="Fixes the regression rolled back this morning.\n",
        commits=[(rollback_ms + 25 * MINUTE_MS, f"{key or 'PAY'} Fix card payment regression\n")],
        module=sim.repo.modules[0],
        issue=pr.issue,
        issue_key=key,
        open_ms=rollback_ms + 30 * MINUTE_MS,
        reviews=[(rollback_ms + 45 * MINUTE_MS, reviewer, "APPROVED", "Verified on staging.")],
        merge_ms=rollback_ms + 55 * MINUTE_MS,
        merge_method=SQUASH,
        merged_by=reviewer,
        reviewers=(reviewer,),
    )
    sim.add_pull(fix)
    sim.quiet_until = fix.merge_ms + 5 * MINUTE_MS


def revert(sim: RepoSimulator, y: Deployment) -> None:
    pr = blamed_pull(sim.deploy_pulls[y])
    if pr is None:
        return
    oncall, reviewer = pr.author, _reviewer(sim, pr.author)
    t = y.finished_ms + 30 * MINUTE_MS
    incident = make_incident(
        sim.repo.index,
        "Refund totals off by one cent",
        "Refund reconciliation reports mismatched totals",
        t,
        oncall,
        scenario="revert",
        acknowledged_ms=t + 5 * MINUTE_MS,
        notes=((t + 12 * MINUTE_MS, f"Reverting #{pr.number} ({pr.title})."),),
    )
    sim.incidents.append(incident)
    message = f'Revert "{pr.title}"\n\nThis reverts commit {pr.merge_sha}.\n'
    plan = PullPlan(
        repo=sim.repo,
        kind=REVERT_PR,
        author=oncall,
        branch=f"revert-{pr.number}-{pr.head_ref}",
        title=f'Revert "{pr.title}"',
        body=f"Reverts {sim.repo.full_name}#{pr.number}\n",
        commits=[(t + 20 * MINUTE_MS, message)],
        commit_kind=REVERT,
        committer=WEB_FLOW,
        reverts=pr.merge_sha,
        module=sim.repo.modules[0],
        issue=pr.issue,
        issue_key=pr.issue_key,
        open_ms=t + 21 * MINUTE_MS,
        reviews=[(t + 30 * MINUTE_MS, reviewer, "APPROVED", "")],
        merge_ms=t + 35 * MINUTE_MS,
        merge_method=MERGE,
        merged_by=reviewer,
        reviewers=(reviewer,),
    )

    def deploy_revert(ms: int) -> None:
        d = sim.forward(ms, ON_DEMAND)
        sim.scenario_deployments[d] = "revert"
        resolve(incident, d.finished_ms + 10 * MINUTE_MS, oncall)

    plan.on_merged = lambda ms, _: sim.at(ms + 5 * MINUTE_MS, deploy_revert)
    sim.add_pull(plan)
    sim.quiet_until = plan.merge_ms + 2 * HOUR_MS


def two_deployments(sim: RepoSimulator, first: Deployment) -> None:
    def second(then: Deployment) -> None:
        sim.scenario_deployments[then] = "two_deployments"
        t = then.finished_ms + 20 * MINUTE_MS
        responder = sim.developers[1]
        sim.incidents.append(
            make_incident(
                sim.repo.index,
                "Payment webhooks delayed",
                "Webhook delivery lag above 10 minutes",
                t,
                responder,
                scenario="two_deployments",
                acknowledged_ms=t + 4 * MINUTE_MS,
                resolved_ms=t + 2 * HOUR_MS,
                notes=(
                    (
                        t + 10 * MINUTE_MS,
                        (
                            "Regression introduced by deployment ",
                            first,
                            " and made worse by deployment ",
                            then,
                            ".",
                        ),
                    ),
                ),
            )
        )

    sim.after_next_deploy.append(second)


def hotfix(sim: RepoSimulator, y: Deployment) -> None:
    pr = blamed_pull(sim.deploy_pulls[y])
    if pr is None:
        return
    bad = blamed_commit(sim.by_sha, pr)
    oncall, reviewer = pr.author, _reviewer(sim, pr.author)
    t = y.finished_ms + 25 * MINUTE_MS
    incident = make_incident(
        sim.repo.index,
        "Crash on session resume",
        "mobile-backend answers 5xx on /v2/sessions/resume",
        t,
        oncall,
        scenario="hotfix",
        acknowledged_ms=t + 4 * MINUTE_MS,
        notes=((t + 15 * MINUTE_MS, ("Root cause: commit ", bad, " dereferences a missing session.")),),
    )
    sim.incidents.append(incident)
    key = pr.issue_key
    branch = f"hotfix/{key}-{slug('session resume crash')}" if key else "hotfix/session-resume-crash"
    plan = PullPlan(
        repo=sim.repo,
        kind=HOTFIX_PR,
        author=oncall,
        branch=branch,
        title=f"Hotfix {key}: guard against a missing session"
        if key
        else "Hotfix: guard against a missing session",
        body="Hotfix for the session resume crash; deploy from this branch, then main.\n",
        commits=[(t + 30 * MINUTE_MS, f"{key or 'MOB'} Guard against a missing session on resume\n")],
        commit_kind=HOTFIX,
        module=sim.repo.modules[0],
        issue=pr.issue,
        issue_key=key,
        base_sha=y.sha,
        open_ms=t + 33 * MINUTE_MS,
        reviews=[(t + 42 * MINUTE_MS, reviewer, "APPROVED", "Good catch.")],
        merge_ms=t + 45 * MINUTE_MS,
        merge_method=MERGE,
        merged_by=reviewer,
        keep_branch=True,
        reviewers=(reviewer,),
    )

    def deploy_hotfix(ms: int, merged) -> None:
        b = sim.branches[plan]
        if merged in sim.unreleased:
            sim.unreleased.remove(merged)
        d = sim.hotfix(ms, b.tip, plan.branch, b.tree, [merged])
        sim.scenario_deployments[d] = "hotfix"
        resolve(incident, d.finished_ms + 10 * MINUTE_MS, oncall)

    plan.on_merged = lambda ms, merged: sim.at(sec(ms + 5 * MINUTE_MS), deploy_hotfix, merged)
    sim.add_pull(plan)
    sim.quiet_until = plan.merge_ms + 2 * HOUR_MS


def redeploy(sim: RepoSimulator, y: Deployment) -> None:
    ms = sec(y.finished_ms + 3 * HOUR_MS)

    def again(at: int) -> None:
        if sim.last_prod is y:
            d = sim.redeploy(at, y)
            sim.scenario_deployments[d] = "redeploy"

    sim.at(ms, again)
    sim.quiet_until = ms + HOUR_MS
