"""The delivery test organisation: one world with every Git / CI/CD / incident edge case of SPEC §6,
written so each figure can be worked out by hand (the expected values in test_delivery_marts.py).

payments-api (acme/payments-service, GitHub deployments), all times UTC, July 2026:

    m0 ── m1 (merge PR #1: f1a, f1b) ── s2 (squash PR #2) ── r3a' ── r3b' (rebase PR #3)
      ── h4 (direct push "PAY-9 …") ── m4 (merge PR #4: t4) ── v5 (revert of t4) ── m7 (merge PR #7)
      ── q8 (squash PR #8, dependabot)                     x7 (hotfix branch, from v5) ┘

    D1   07-02 12:10  production  m1   first deployment: change set {m0, f1a, f1b, m1}
    D2   07-03 14:10  production  r3b' run 5001: attempt 1 failed (a record), attempt 2 succeeded
    D2eu 07-03 14:30  prod-eu     r3b' run 5001 attempt 2: the same change reaches a 2nd region
    D3   07-04 12:05  production  m4   {h4, t4, m4}
    D4   07-04 15:05  production  m4   redeploy of the running SHA (no changes)
    D5   07-04 16:40  production  r3b' rollback to D2's SHA: rolls back D3 and D4
    D6   07-05 10:10  production  v5   {h4, t4, m4, v5}: the rolled-back commits come back, with a revert
    D7   07-05 13:05  production  x7   hotfix, deployed from branch hotfix/PAY-3-ledger
    D8   07-06 11:05  production  q8   {m7, q8}
    plus staging (run 5001), qa (PR #4's branch), preview-9, and a failed production attempt.

    I1 07-04 16:00–17:00 names D3 ("deployment <id>") while the rollback D5 runs: explicit → D3
    I2 07-05 09:30–10:30 says nothing; the revert D6 is deployed while it is open: revert → D3
    I3 07-05 12:30–13:30 a note names commit t4 (12 hex digits): root_cause_sha → D3
    I4 07-06 12:00–14:00 says nothing: nearest_preceding → D8
    I5 06-29 10:00–11:00 before any deployment: no cause
    I6 07-05 11:00–11:30 names D3 and D6: two causes

mobile-backend (acme/mobile-app, workflow runs named "Deploy production"):
    run 7001 Deploy production, n1: attempt 1 failed, attempt 2 succeeded → one deployment
    run 7002 CI (not a deployment), run 7003 Deploy production n2 failed, run 7004 skipped,
    run 7005 after a freeze ships n2 … n47 (46 commits) in one deployment
acme/tools: not in services.csv, no git source; one deployment to "Production" (any case).
"""

from __future__ import annotations

from datetime import datetime

from .delivery_payloads import DeliveryFixture, sha_of
from .jira_payloads import BACKLOG, DONE, IN_PROGRESS, JiraFixture, moved, status, z

PAY = "acme/payments-service"
MOB = "acme/mobile-app"
TOOLS = "acme/tools"

# GitHub deployment record ids, named so tests can refer to them
D1, D2_FAILED, D2, D2EU, D3, D4, D5, D6, D7, D8 = (
    101,
    102,
    103,
    104,
    105,
    106,
    107,
    108,
    109,
    110,
)
D_STAGING, D_QA, D_PREVIEW, D_FAILED_PROD, D_TOOLS = 201, 202, 203, 204, 205
RUN_D2 = 5001


def delivery() -> DeliveryFixture:
    f = DeliveryFixture()
    pay = f.repo(PAY, "demo-git-payments")

    # ---- PR #1: merge commit ----------------------------------------------------------------
    pay.commit("m0", [], "2026-06-30 09:00", "Initial commit")
    pay.commit("f1a", ["m0"], "2026-07-01 09:00", "PAY-1 add refund model", offset_hours=2)
    pay.commit("f1b", ["f1a"], "2026-07-01 15:00", "Add refund endpoint")
    pay.commit(
        "m1",
        ["m0", "f1b"],
        "2026-07-02 10:00",
        "Merge pull request #1 from acme/feature/PAY-1-refunds",
        author="GitHub",
        email="noreply@github.com",
    )
    pr1 = f.pull_request(
        PAY,
        1,
        title="PAY-1: add refunds",
        head_ref="feature/PAY-1-refunds",
        created_at="2026-07-01 16:00",
        commits=["f1a", "f1b"],
        merged_at="2026-07-02 10:00",
        merge_commit="m1",
        additions=120,
        deletions=30,
    )
    f.pr_commits(PAY, pr1, ["f1a", "f1b"])
    f.review(PAY, pr1, 1, "sonarcloud[bot]", "2026-07-01 16:30", "COMMENTED")  # a bot: not a pickup
    f.review(PAY, pr1, 1, "dana", "2026-07-01 17:00", "COMMENTED")  # the author: not a pickup
    f.review(PAY, pr1, 1, "erin", "2026-07-02 09:00")
    f.review(PAY, pr1, 1, "frank", "2026-07-02 09:30", "PENDING")
    f.deployment(
        PAY,
        "m1",
        "production",
        "2026-07-02 12:00",
        [
            ("queued", "2026-07-02 12:00"),
            ("in_progress", "2026-07-02 12:01"),
            ("success", "2026-07-02 12:10"),
            ("inactive", "2026-07-03 14:10"),
        ],
        deployment_id=D1,
    )

    # ---- PR #2: squash merge, opened as a draft, branch name lower-case ---------------------
    b2a = pay.detached("b2a", ["m1"], "2026-07-02 13:00", "Faster payouts")
    b2b = pay.detached("b2b", ["b2a"], "2026-07-02 14:00", "Fix payout test")
    pay.commit(
        "s2", ["m1"], "2026-07-03 09:00", "Faster payouts (PAY-2) (#2)", files=[("payouts/service.py", 40, 5)]
    )
    pr2 = 9002
    f.pull_request(
        PAY,
        2,
        title="Faster payouts (PAY-2)",
        head_ref="pay-2-faster-payouts",
        created_at="2026-07-02 14:30",
        commits=[b2a["sha"], b2b["sha"]],
        draft=True,
        pr_id=pr2,
        fetched_at=datetime(2026, 7, 2, 15, 0),
    )
    f.pull_request(
        PAY,
        2,
        title="Faster payouts (PAY-2)",
        head_ref="pay-2-faster-payouts",
        created_at="2026-07-02 14:30",
        commits=[b2a["sha"], b2b["sha"]],
        pr_id=pr2,
        updated_at="2026-07-02 16:00",
        fetched_at=datetime(2026, 7, 2, 17, 0),
    )
    f.pull_request(
        PAY,
        2,
        title="Faster payouts (PAY-2)",
        head_ref="pay-2-faster-payouts",
        created_at="2026-07-02 14:30",
        commits=[b2a["sha"], b2b["sha"]],
        pr_id=pr2,
        merged_at="2026-07-03 09:00",
        merge_commit="s2",
        fetched_at=datetime(2026, 7, 3, 10, 0),
    )
    # an early push, force-pushed away: its older author date must not count
    gone = pay.detached("b2gone", ["m1"], "2026-06-20 08:00", "WIP payouts")
    f.pr_commits(PAY, pr2, [gone], fetched_at=datetime(2026, 7, 2, 15, 0))
    f.pr_commits(PAY, pr2, [b2a, b2b])
    f.review(PAY, pr2, 2, "erin", "2026-07-02 18:00")

    # ---- PR #3: rebase merge; r3a was authored long before (rebased, old author date) -------
    r3a = pay.detached("r3a", ["m1"], "2026-06-25 10:00", "PAY-3 ledger rounding")
    r3b = pay.detached("r3b", ["r3a"], "2026-07-03 10:00", "PAY-3 ledger test")
    pay.commit("r3a'", ["s2"], "2026-06-25 10:00", "PAY-3 ledger rounding", committed_at="2026-07-03 12:00")
    pay.commit("r3b'", ["r3a'"], "2026-07-03 10:00", "PAY-3 ledger test", committed_at="2026-07-03 12:00")
    pr3 = f.pull_request(
        PAY,
        3,
        title="Ledger fix",
        head_ref="feature/PAY-3",
        created_at="2026-07-03 10:30",
        commits=[r3a["sha"], r3b["sha"]],
        merged_at="2026-07-03 12:00",
        merge_commit="r3b'",
    )
    f.pr_commits(PAY, pr3, [r3a, r3b])
    f.review(PAY, pr3, 3, "erin", "2026-07-03 11:00")
    # run 5001: staging, then production attempt 1 fails, attempt 2 succeeds and also deploys prod-eu
    f.deployment(
        PAY,
        "r3b'",
        "staging",
        "2026-07-03 12:50",
        [("in_progress", "2026-07-03 12:51"), ("success", "2026-07-03 13:00")],
        run_id=RUN_D2,
        deployment_id=D_STAGING,
        ref="v2026.07.03.1",
    )
    f.deployment(
        PAY,
        "r3b'",
        "production",
        "2026-07-03 13:20",
        [("in_progress", "2026-07-03 13:21"), ("failure", "2026-07-03 13:30")],
        run_id=RUN_D2,
        deployment_id=D2_FAILED,
        ref="v2026.07.03.1",
    )
    f.deployment(
        PAY,
        "r3b'",
        "production",
        "2026-07-03 14:00",
        [("in_progress", "2026-07-03 14:01"), ("success", "2026-07-03 14:10")],
        run_id=RUN_D2,
        attempt=2,
        deployment_id=D2,
        ref="v2026.07.03.1",
    )
    f.deployment(
        PAY,
        "r3b'",
        "prod-eu",
        "2026-07-03 14:20",
        [("in_progress", "2026-07-03 14:21"), ("success", "2026-07-03 14:30")],
        run_id=RUN_D2,
        attempt=2,
        deployment_id=D2EU,
        ref="v2026.07.03.1",
    )
    f.release(PAY, "v2026.07.03.1", "2026-07-03 12:45")

    # ---- a direct push (moved issue's old key) and PR #4 (merge) -------------------------------
    pay.commit("h4", ["r3b'"], "2026-07-04 08:00", "PAY-9 bump version")
    pay.commit("t4", ["r3b'"], "2026-07-04 09:00", "Tidy refunds")
    pay.commit(
        "m4",
        ["h4", "t4"],
        "2026-07-04 11:00",
        "Merge pull request #4",
        author="GitHub",
        email="noreply@github.com",
    )
    # PR #4 was opened as a draft; the timeline says when it became ready (09:40), which beats the
    # versions' reconstruction (the next version landed is the merged one)
    pr4 = 9004
    f.pull_request(
        PAY,
        4,
        title="PAY-1 follow-up: tidy refunds",
        head_ref="feature/PAY-1-tidy",
        draft=True,
        created_at="2026-07-04 09:30",
        commits=["t4"],
        pr_id=pr4,
        fetched_at=datetime(2026, 7, 4, 9, 35),
    )
    f.pull_request(
        PAY,
        4,
        title="PAY-1 follow-up: tidy refunds",
        head_ref="feature/PAY-1-tidy",
        created_at="2026-07-04 09:30",
        commits=["t4"],
        merged_at="2026-07-04 11:00",
        merge_commit="m4",
        pr_id=pr4,
    )
    f.timeline_event(pr4, "ready_for_review", "2026-07-04 09:40")
    f.pr_commits(PAY, pr4, ["t4"])
    f.review(PAY, pr4, 4, "frank", "2026-07-04 10:00", "CHANGES_REQUESTED")
    f.deployment(
        PAY,
        "t4",
        "qa",
        "2026-07-04 09:40",
        [("success", "2026-07-04 09:45")],
        deployment_id=D_QA,
        ref="feature/PAY-1-tidy",
    )
    f.deployment(
        PAY,
        "m4",
        "production",
        "2026-07-04 12:00",
        [("success", "2026-07-04 12:05")],
        deployment_id=D3,
        ref="v2026.07.04.1",
    )
    f.deployment(
        PAY,
        "m4",
        "production",
        "2026-07-04 15:00",
        [("success", "2026-07-04 15:05")],
        deployment_id=D4,
        ref="v2026.07.04.1",
        description="Redeploy (configuration refresh)",
    )
    f.deployment(
        PAY,
        "r3b'",
        "production",
        "2026-07-04 16:30",
        [("success", "2026-07-04 16:40")],
        deployment_id=D5,
        ref="v2026.07.03.1",
        description="Rollback to v2026.07.03.1",
    )

    # ---- the revert, deployed while I2 is open --------------------------------------------------
    pay.commit(
        "v5", ["m4"], "2026-07-05 09:00", f'Revert "Tidy refunds"\n\nThis reverts commit {pay.sha("t4")}.'
    )
    f.deployment(
        PAY,
        "v5",
        "production",
        "2026-07-05 10:00",
        [("success", "2026-07-05 10:10")],
        deployment_id=D6,
        ref="main",
    )

    # ---- the hotfix: deployed from its branch, merged back afterwards ---------------------------
    pay.commit("x7", ["v5"], "2026-07-05 12:00", "Guard ledger rounding")
    pay.commit(
        "m7",
        ["v5", "x7"],
        "2026-07-05 14:00",
        "Merge pull request #7",
        author="GitHub",
        email="noreply@github.com",
    )
    pr7 = f.pull_request(
        PAY,
        7,
        title="Hotfix: ledger rounding",
        head_ref="hotfix/PAY-3-ledger",
        created_at="2026-07-05 12:10",
        commits=["x7"],
        merged_at="2026-07-05 14:00",
        merge_commit="m7",
    )
    f.pr_commits(PAY, pr7, ["x7"])
    f.review(PAY, pr7, 7, "erin", "2026-07-05 12:20")
    f.deployment(
        PAY,
        "x7",
        "production",
        "2026-07-05 13:00",
        [("success", "2026-07-05 13:05")],
        deployment_id=D7,
        ref="hotfix/PAY-3-ledger",
    )

    # ---- a bot's PR (squash) --------------------------------------------------------------------
    k8 = pay.detached("k8", ["m7"], "2026-07-06 09:00", "Bump requests", author="dependabot[bot]")
    pay.commit("q8", ["m7"], "2026-07-06 10:00", "Bump requests (#8)", author="dependabot[bot]")
    pr8 = f.pull_request(
        PAY,
        8,
        title="Bump requests from 2.31 to 2.32",
        head_ref="dependabot/pip/requests-2.32",
        author="dependabot[bot]",
        created_at="2026-07-06 09:05",
        commits=[k8["sha"]],
        merged_at="2026-07-06 10:00",
        merge_commit="q8",
    )
    f.pr_commits(PAY, pr8, [k8])
    f.review(PAY, pr8, 8, "erin", "2026-07-06 09:30")
    f.deployment(
        PAY,
        "q8",
        "production",
        "2026-07-06 11:00",
        [("success", "2026-07-06 11:05")],
        deployment_id=D8,
        ref="main",
    )

    # ---- an open draft PR, a preview deployment of it, a failed production attempt ---------------
    pay.commit("w9", ["q8"], "2026-07-06 12:00", "PAY-2 payout limits (wip)")
    pr9 = f.pull_request(
        PAY,
        9,
        title="Payout limits",
        head_ref="feature/PAY-2-limits",
        draft=True,
        created_at="2026-07-06 12:30",
        commits=["w9"],
    )
    f.pr_commits(PAY, pr9, ["w9"])
    f.deployment(
        PAY,
        "w9",
        "preview-9",
        "2026-07-06 12:40",
        [("success", "2026-07-06 12:43")],
        deployment_id=D_PREVIEW,
        ref="feature/PAY-2-limits",
    )
    f.deployment(
        PAY,
        "w9",
        "production",
        "2026-07-06 13:00",
        [("error", "2026-07-06 13:04")],
        deployment_id=D_FAILED_PROD,
        ref="feature/PAY-2-limits",
    )
    pay.ref("refs/heads/main", "q8")
    pay.ref("refs/heads/feature/PAY-2-limits", "w9")
    pay.ref("refs/tags/v2026.07.03.1", "r3b'", kind="tag")
    pay.ref("refs/heads/hotfix/PAY-3-ledger", "x7", deleted=True)

    # ---- incidents ------------------------------------------------------------------------------
    f.incident(
        "Q1",
        "PPAY001",
        "Refund errors",
        "2026-07-04 16:00",
        resolved_at="2026-07-04 17:00",
        description=f"Refund errors since deployment {D3}",
    )
    f.incident(
        "Q2",
        "PPAY001",
        "Refund totals off",
        "2026-07-05 09:30",
        resolved_at="2026-07-05 10:30",
        notes=[("2026-07-05 09:40", "Reverting the tidy-up.")],
    )
    f.incident(
        "Q3",
        "PPAY001",
        "Ledger drift",
        "2026-07-05 12:30",
        resolved_at="2026-07-05 13:30",
        notes=[("2026-07-05 12:45", f"Root cause: commit {pay.sha('t4')[:12]} rounds early.")],
    )
    f.incident("Q4", "PPAY001", "Latency above SLO", "2026-07-06 12:00", resolved_at="2026-07-06 14:00")
    f.incident(
        "Q5", "PPAY001", "Upstream card network outage", "2026-06-29 10:00", resolved_at="2026-06-29 11:00"
    )
    f.incident(
        "Q6",
        "PPAY001",
        "Payout delays",
        "2026-07-05 11:00",
        resolved_at="2026-07-05 11:30",
        notes=[
            (
                "2026-07-05 11:10",
                f"Regression introduced by deployment {D3} and made worse by deployment {D6}.",
            )
        ],
    )
    f.incident("Q7", "PPAY001", "Elevated 5xx", "2026-07-06 15:00")  # still open

    # ---- mobile-backend: deployments are workflow runs -------------------------------------------
    mob = f.repo(MOB, "demo-git-mobile")
    mob.commit("n0", [], "2026-07-01 08:00", "Initial commit")
    mob.commit("n1", ["n0"], "2026-07-02 08:00", "MOB-1 offline sync")
    mob.commit("n2", ["n1"], "2026-07-03 08:00", "Push tweaks")
    f.workflow_run(
        MOB,
        7001,
        "Deploy production",
        "n1",
        "2026-07-02 10:00",
        [
            ("failure", "2026-07-02 10:00", "2026-07-02 10:05"),
            ("success", "2026-07-02 10:20", "2026-07-02 10:30"),
        ],
    )
    f.workflow_run(
        MOB, 7002, "CI", "n1", "2026-07-02 09:00", [("success", "2026-07-02 09:00", "2026-07-02 09:06")]
    )
    f.workflow_run(
        MOB,
        7003,
        "Deploy production",
        "n2",
        "2026-07-03 10:00",
        [("failure", "2026-07-03 10:00", "2026-07-03 10:06")],
    )
    f.workflow_run(
        MOB,
        7004,
        "Deploy production",
        "n2",
        "2026-07-03 11:00",
        [("skipped", "2026-07-03 11:00", "2026-07-03 11:00")],
    )
    # a code freeze: 45 commits pile up, then one deployment ships them all with n2
    previous = "n2"
    for k in range(3, 48):
        mob.commit(
            f"n{k}", [previous], f"2026-07-06 {8 + (k - 3) // 6:02d}:{(k - 3) % 6 * 10:02d}", f"Work {k}"
        )
        previous = f"n{k}"
    f.workflow_run(
        MOB,
        7005,
        "deploy PRODUCTION",
        "n47",
        "2026-07-07 10:00",
        [("success", "2026-07-07 10:00", "2026-07-07 10:20")],
    )

    # ---- a repository nobody mapped, without a git source ---------------------------------------
    f.deployment(
        TOOLS,
        sha_of("tools:1"),
        "Production",
        "2026-07-02 09:00",
        [("success", "2026-07-02 09:03")],
        deployment_id=D_TOOLS,
    )
    return f


def jira() -> JiraFixture:
    j = JiraFixture("demo-jira")
    j.issue("3001", "PAY-1", z("2026-06-20 00:00"), DONE)
    j.history("3001", z("2026-06-30 08:00"), status(BACKLOG, IN_PROGRESS))
    j.history("3001", z("2026-07-04 13:00"), status(IN_PROGRESS, DONE))
    j.issue("3002", "PAY-2", z("2026-06-21 00:00"), IN_PROGRESS)
    j.history("3002", z("2026-07-02 12:00"), status(BACKLOG, IN_PROGRESS))
    j.issue("3003", "PAY-3", z("2026-06-22 00:00"), DONE)
    j.history("3003", z("2026-06-25 09:00"), status(BACKLOG, IN_PROGRESS))
    j.history("3003", z("2026-07-05 14:00"), status(IN_PROGRESS, DONE))
    # PAY-9 moved to OPS-9; the direct push still names PAY-9
    j.issue("3009", "OPS-9", z("2026-06-25 00:00"), DONE, project=("10001", "OPS"))
    j.history("3009", z("2026-07-01 00:00"), *moved("PAY-9", "OPS-9", ("10000", "PAY"), ("10001", "OPS")))
    j.history("3009", z("2026-07-04 07:00"), status(BACKLOG, IN_PROGRESS))
    j.history("3009", z("2026-07-04 14:00"), status(IN_PROGRESS, DONE))
    j.issue("3100", "MOB-1", z("2026-06-28 00:00"), DONE)
    j.history("3100", z("2026-07-01 09:00"), status(BACKLOG, IN_PROGRESS))
    j.history("3100", z("2026-07-02 11:00"), status(IN_PROGRESS, DONE))
    j.issue("3101", "MOB-2", z("2026-06-28 00:00"), BACKLOG)  # linked to nothing
    return j


DEPLOYMENT_SOURCES = """source,repository,kind,workflow_name_pattern,environment,description
*,*,github_deployments,,,default
demo-github,acme/payments-service,github_deployments,,,
demo-github,acme/mobile-app,workflow_runs,^deploy production$,production,mobile deploys with a workflow
"""
