"""GitHub REST v3 payloads of the simulated repositories, as of an instant: users, pull requests and
their commits, reviews and timeline events, deployments and statuses, workflow runs, releases.

URLs inside payloads use GitHub's canonical hosts (``api.github.com``, ``github.com``), so the
in-process transport and the loopback server answer identical bodies; only ``Link`` headers carry the
address the client actually used.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from typing import Any

from extractors.simulation.delivery.catalog import GITHUB_API, GITHUB_WEB, OWNER, REPOSITORIES, Repository
from extractors.simulation.delivery.identities import WEB_FLOW, Account, node_id
from extractors.simulation.delivery.model import (
    Commit,
    Deployment,
    DeploymentStatus,
    PullRequest,
    RepoHistory,
    Review,
    Tag,
    WorkflowRun,
    render_text,
)
from extractors.simulation.timeutil import SECOND_MS, from_ms

ORG_ID = 98_765_432
ACTIONS_APP = {
    "id": 15_368,
    "slug": "github-actions",
    "node_id": "MDM6QXBwMTUzNjg=",
    "owner": {"login": "github", "id": 9_919, "type": "Organization"},
    "name": "GitHub Actions",
    "description": "Automate your workflow from idea to production",
    "external_url": "https://help.github.com/en/actions",
    "html_url": "https://github.com/apps/github-actions",
    "created_at": "2018-07-30T09:30:17Z",
    "updated_at": "2019-12-10T19:04:12Z",
    "permissions": {"actions": "write", "deployments": "write", "contents": "write"},
    "events": ["deployment", "deployment_status", "push", "pull_request", "workflow_dispatch"],
}
WORKFLOW_IDS = {"ci": 71_000_001, "deploy-production": 71_000_002}
LABEL_COLOURS = {"dependencies": "0366d6"}


def ts(ms: int | None) -> str | None:
    """GitHub's timestamp: ``2026-05-04T10:15:30Z``."""
    return None if ms is None else from_ms(ms).strftime("%Y-%m-%dT%H:%M:%SZ")


def stable_id(*parts: Any) -> int:
    return int.from_bytes(hashlib.sha256(":".join(map(str, parts)).encode()).digest()[:5], "big")


def user(account: Account | None) -> dict[str, Any] | None:
    if account is None:
        return None
    login = account.login
    url = f"{GITHUB_API}/users/{login}"
    return {
        "login": login,
        "id": account.id,
        "node_id": account.node_id,
        "avatar_url": f"https://avatars.githubusercontent.com/u/{account.id}?v=4",
        "gravatar_id": "",
        "url": url,
        "html_url": f"{GITHUB_WEB}/{'apps/' + login.removesuffix('[bot]') if account.is_bot else login}",
        "followers_url": f"{url}/followers",
        "following_url": f"{url}/following{{/other_user}}",
        "gists_url": f"{url}/gists{{/gist_id}}",
        "starred_url": f"{url}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{url}/subscriptions",
        "organizations_url": f"{url}/orgs",
        "repos_url": f"{url}/repos",
        "events_url": f"{url}/events{{/privacy}}",
        "received_events_url": f"{url}/received_events",
        "type": account.type,
        "user_view_type": "public",
        "site_admin": False,
    }


def organisation() -> dict[str, Any]:
    return {
        **user(Account(OWNER, ORG_ID, "Organization", OWNER, "")),
        "node_id": node_id("Organization", ORG_ID),
        "html_url": f"{GITHUB_WEB}/{OWNER}",
    }


def repository(repo: Repository) -> dict[str, Any]:
    api = f"{GITHUB_API}/repos/{repo.full_name}"
    return {
        "id": repo.github_id,
        "node_id": repo.node_id,
        "name": repo.name,
        "full_name": repo.full_name,
        "private": True,
        "owner": organisation(),
        "html_url": f"{GITHUB_WEB}/{repo.full_name}",
        "description": f"The {repo.service} service",
        "fork": False,
        "url": api,
        "deployments_url": f"{api}/deployments",
        "pulls_url": f"{api}/pulls{{/number}}",
        "releases_url": f"{api}/releases{{/id}}",
        "default_branch": "main",
        "visibility": "private",
    }


def association(account: Account) -> str:
    return "NONE" if account.is_bot else "MEMBER"


def main_sha_at(history: RepoHistory, ms: int) -> str:
    timeline = history.refs["main"]
    k = bisect_right([at for at, _ in timeline], ms)
    return timeline[max(k - 1, 0)][1] or ""


def pull(history: RepoHistory, p: PullRequest, now: int, full: bool = False) -> dict[str, Any]:
    repo = history.repo
    api = f"{GITHUB_API}/repos/{repo.full_name}"
    merged = p.merged_ms if p.merged_ms is not None and p.merged_ms <= now else None
    closed = p.closed_ms if p.closed_ms is not None and p.closed_ms <= now else None
    commits = p.commits_at(now)
    head_sha = commits[-1] if commits else ""
    reviewed = {r.user.login for r in p.reviews if r.submitted_ms <= now}
    waiting = [a for a in p.requested_reviewers if a.login not in reviewed] if closed is None else []
    updated = max(t for t in p.activity() if t <= now)
    body: dict[str, Any] = {
        "url": f"{api}/pulls/{p.number}",
        "id": p.id,
        "node_id": node_id("PullRequest", p.id),
        "html_url": f"{GITHUB_WEB}/{repo.full_name}/pull/{p.number}",
        "diff_url": f"{GITHUB_WEB}/{repo.full_name}/pull/{p.number}.diff",
        "patch_url": f"{GITHUB_WEB}/{repo.full_name}/pull/{p.number}.patch",
        "issue_url": f"{api}/issues/{p.number}",
        "number": p.number,
        "state": "closed" if closed is not None else "open",
        "locked": False,
        "title": p.title,
        "user": user(p.author),
        "body": p.body,
        "created_at": ts(p.created_ms),
        "updated_at": ts(updated),
        "closed_at": ts(closed),
        "merged_at": ts(merged),
        "merge_commit_sha": p.merge_sha if merged is not None else None,
        "assignee": user(p.author) if not p.author.is_bot else None,
        "assignees": [user(p.author)] if not p.author.is_bot else [],
        "requested_reviewers": [user(a) for a in waiting],
        "requested_teams": [],
        "labels": [
            {
                "id": stable_id("label", repo.name, name),
                "node_id": node_id("Label", stable_id("label", repo.name, name)),
                "url": f"{api}/labels/{name}",
                "name": name,
                "color": LABEL_COLOURS.get(name, "ededed"),
                "default": False,
                "description": "Pull requests that update a dependency file",
            }
            for name in p.labels
        ],
        "milestone": None,
        "draft": p.draft_at_open and (p.ready_ms is None or p.ready_ms > now),
        "commits_url": f"{api}/pulls/{p.number}/commits",
        "review_comments_url": f"{api}/pulls/{p.number}/comments",
        "review_comment_url": f"{api}/pulls/comments{{/number}}",
        "comments_url": f"{api}/issues/{p.number}/comments",
        "statuses_url": f"{api}/statuses/{head_sha}",
        "head": {
            "label": f"{OWNER}:{p.head_ref}",
            "ref": p.head_ref,
            "sha": head_sha,
            "user": organisation(),
            "repo": repository(repo),
        },
        "base": {
            "label": f"{OWNER}:{p.base_ref}",
            "ref": p.base_ref,
            "sha": main_sha_at(history, now if closed is None else closed - 1),
            "user": organisation(),
            "repo": repository(repo),
        },
        "_links": {
            "self": {"href": f"{api}/pulls/{p.number}"},
            "html": {"href": f"{GITHUB_WEB}/{repo.full_name}/pull/{p.number}"},
            "issue": {"href": f"{api}/issues/{p.number}"},
            "comments": {"href": f"{api}/issues/{p.number}/comments"},
            "review_comments": {"href": f"{api}/pulls/{p.number}/comments"},
            "review_comment": {"href": f"{api}/pulls/comments{{/number}}"},
            "commits": {"href": f"{api}/pulls/{p.number}/commits"},
            "statuses": {"href": f"{api}/statuses/{head_sha}"},
        },
        "author_association": association(p.author),
        "auto_merge": None,
        "active_lock_reason": None,
    }
    if full:
        changed = {path for sha in commits for path, _ in history.by_sha[sha].changes}
        body.update(
            {
                "merged": merged is not None,
                "mergeable": None if closed is not None else True,
                "rebaseable": None if closed is not None else True,
                "mergeable_state": "unknown" if closed is not None else "clean",
                "merged_by": user(p.merged_by) if merged is not None else None,
                "comments": 0,
                "review_comments": 0,
                "maintainer_can_modify": False,
                "commits": len(commits),
                "changed_files": len(changed),
            }
        )
    return body


def git_person(account: Account, ms: int) -> dict[str, str]:
    return {"name": account.name, "email": account.email, "date": ts(ms)}


def commit(history: RepoHistory, c: Commit) -> dict[str, Any]:
    repo = history.repo
    api = f"{GITHUB_API}/repos/{repo.full_name}"
    return {
        "sha": c.sha,
        "node_id": node_id("Commit", f"{repo.github_id}:{c.sha}"),
        "commit": {
            "author": git_person(c.author, c.author_ms),
            "committer": git_person(c.committer, c.committer_ms),
            "message": c.message.rstrip("\n"),
            "tree": {"sha": c.tree, "url": f"{api}/git/trees/{c.tree}"},
            "url": f"{api}/git/commits/{c.sha}",
            "comment_count": 0,
            "verification": {
                "verified": c.committer is WEB_FLOW,
                "reason": "valid" if c.committer is WEB_FLOW else "unsigned",
                "signature": None,
                "payload": None,
                "verified_at": None,
            },
        },
        "url": f"{api}/commits/{c.sha}",
        "html_url": f"{GITHUB_WEB}/{repo.full_name}/commit/{c.sha}",
        "comments_url": f"{api}/commits/{c.sha}/comments",
        "author": user(c.author),
        "committer": user(c.committer),
        "parents": [
            {"sha": p, "url": f"{api}/commits/{p}", "html_url": f"{GITHUB_WEB}/{repo.full_name}/commit/{p}"}
            for p in c.parents
        ],
    }


def review(history: RepoHistory, p: PullRequest, r: Review) -> dict[str, Any]:
    repo = history.repo
    html = f"{GITHUB_WEB}/{repo.full_name}/pull/{p.number}#pullrequestreview-{r.id}"
    pr_url = f"{GITHUB_API}/repos/{repo.full_name}/pulls/{p.number}"
    return {
        "id": r.id,
        "node_id": node_id("PullRequestReview", r.id),
        "user": user(r.user),
        "body": r.body,
        "state": r.state,
        "html_url": html,
        "pull_request_url": pr_url,
        "author_association": association(r.user),
        "_links": {"html": {"href": html}, "pull_request": {"href": pr_url}},
        "submitted_at": ts(r.submitted_ms),
        "commit_id": r.commit_id,
    }


def timeline(history: RepoHistory, p: PullRequest, now: int) -> list[dict[str, Any]]:
    """Issue timeline events of a pull request, oldest first (``ready_for_review`` among them)."""
    repo = history.repo
    api = f"{GITHUB_API}/repos/{repo.full_name}"
    events: list[tuple[int, int, dict[str, Any]]] = []

    def event(ms: int, name: str, actor: Account, **extra: Any) -> None:
        eid = stable_id("event", p.id, name, ms, len(events))
        events.append(
            (
                ms,
                len(events),
                {
                    "id": eid,
                    "node_id": node_id("Event", eid),
                    "url": f"{api}/issues/events/{eid}",
                    "actor": user(actor),
                    "event": name,
                    "commit_id": None,
                    "commit_url": None,
                    "created_at": ts(ms),
                    "performed_via_github_app": None,
                    **extra,
                },
            )
        )

    seen: set[str] = set()
    for at, shas in p.pushes:
        for sha in shas:
            if sha in seen:
                continue
            seen.add(sha)
            c = history.by_sha[sha]
            events.append(
                (
                    at,
                    len(events),
                    {
                        "sha": sha,
                        "node_id": node_id("Commit", f"{repo.github_id}:{sha}"),
                        "url": f"{api}/git/commits/{sha}",
                        "html_url": f"{GITHUB_WEB}/{repo.full_name}/commit/{sha}",
                        "author": git_person(c.author, c.author_ms),
                        "committer": git_person(c.committer, c.committer_ms),
                        "tree": {"sha": c.tree, "url": f"{api}/git/trees/{c.tree}"},
                        "message": c.message.rstrip("\n"),
                        "parents": [{"sha": x, "url": f"{api}/git/commits/{x}"} for x in c.parents],
                        "verification": {
                            "verified": False,
                            "reason": "unsigned",
                            "signature": None,
                            "payload": None,
                        },
                        "event": "committed",
                    },
                )
            )
    review_ready = p.ready_at()
    if review_ready is not None:
        for reviewer in p.requested_reviewers:
            event(
                review_ready,
                "review_requested",
                p.author,
                review_requester=user(p.author),
                requested_reviewer=user(reviewer),
            )
    if p.draft_at_open and p.ready_ms is not None:
        event(p.ready_ms, "ready_for_review", p.author)
    for at, _before, after in p.force_pushes:
        event(at, "head_ref_force_pushed", p.author, commit_id=after, commit_url=f"{api}/commits/{after}")
    for r in p.reviews:
        body = review(history, p, r)
        events.append((r.submitted_ms, len(events), {**body, "state": r.state.lower(), "event": "reviewed"}))
    if p.merged_ms is not None:
        event(
            p.merged_ms,
            "merged",
            p.merged_by or p.author,
            commit_id=p.merge_sha,
            commit_url=f"{api}/commits/{p.merge_sha}",
        )
    if p.closed_ms is not None:
        event(p.closed_ms, "closed", p.merged_by or p.author if p.merged_ms else p.author)
    if p.branch_deleted_ms is not None:
        event(p.branch_deleted_ms, "head_ref_deleted", p.merged_by or p.author)
    return [body for at, _, body in sorted(events, key=lambda e: (e[0], e[1])) if at <= now]


def deployment(history: RepoHistory, d: Deployment, now: int) -> dict[str, Any]:
    api = f"{GITHUB_API}/repos/{history.repo.full_name}"
    visible = [s for s in d.statuses if s.ms <= now]
    return {
        "url": f"{api}/deployments/{d.id}",
        "id": d.id,
        "node_id": node_id("Deployment", d.id),
        "task": "deploy",
        "original_environment": d.environment,
        "environment": d.environment,
        "description": render_text(d.description) or None,
        "created_at": ts(d.created_ms),
        "updated_at": ts(visible[-1].ms if visible else d.created_ms),
        "statuses_url": f"{api}/deployments/{d.id}/statuses",
        "repository_url": api,
        "creator": user(d.creator),
        "sha": d.sha,
        "ref": d.ref,
        "payload": {},
        "transient_environment": d.transient,
        "production_environment": d.environment in ("production", "prod-eu"),
        "performed_via_github_app": ACTIONS_APP,
    }


def run_url(history: RepoHistory, d: Deployment) -> str:
    if d.run is None:
        return ""
    return f"{GITHUB_WEB}/{history.repo.full_name}/actions/runs/{d.run.id}/job/{d.run.id + d.run_attempt * 3}"


def deployment_status(history: RepoHistory, d: Deployment, s: DeploymentStatus) -> dict[str, Any]:
    api = f"{GITHUB_API}/repos/{history.repo.full_name}"
    target = run_url(history, d)
    env_url = f"https://{d.environment}.{history.repo.service}.acme.example"
    return {
        "url": f"{api}/deployments/{d.id}/statuses/{s.id}",
        "id": s.id,
        "node_id": node_id("DeploymentStatus", s.id),
        "state": s.state,
        "creator": user(d.creator),
        "description": s.description,
        "environment": d.environment,
        "target_url": target,
        "created_at": ts(s.ms),
        "updated_at": ts(s.ms),
        "deployment_url": f"{api}/deployments/{d.id}",
        "repository_url": api,
        "environment_url": env_url if s.state == "success" else "",
        "log_url": target,
        "performed_via_github_app": ACTIONS_APP,
    }


def workflow_run(history: RepoHistory, run: WorkflowRun, now: int) -> dict[str, Any] | None:
    current = run.attempt_at(now)
    if current is None:
        return None
    number, attempt = current
    done = attempt.finished_ms <= now
    repo = history.repo
    api = f"{GITHUB_API}/repos/{repo.full_name}"
    url = f"{api}/actions/runs/{run.id}"
    head = history.by_sha[run.head_sha]
    path = f".github/workflows/{run.name}.yml"
    return {
        "id": run.id,
        "name": run.name,
        "node_id": node_id("WorkflowRun", run.id),
        "head_branch": run.head_branch,
        "head_sha": run.head_sha,
        "path": path,
        "display_title": run.display_title,
        "run_number": run.run_number,
        "event": run.event,
        "status": "completed" if done else "in_progress",
        "conclusion": attempt.conclusion if done else None,
        "workflow_id": WORKFLOW_IDS[run.name] + repo.index * 10,
        "check_suite_id": run.id * 2 + number,
        "check_suite_node_id": node_id("CheckSuite", run.id * 2 + number),
        "url": url,
        "html_url": f"{GITHUB_WEB}/{repo.full_name}/actions/runs/{run.id}",
        "pull_requests": [
            {
                "url": f"{api}/pulls/{p.number}",
                "id": p.id,
                "number": p.number,
                "head": {
                    "ref": p.head_ref,
                    "sha": run.head_sha,
                    "repo": {"id": repo.github_id, "url": api, "name": repo.name},
                },
                "base": {
                    "ref": p.base_ref,
                    "sha": main_sha_at(history, run.created_ms),
                    "repo": {"id": repo.github_id, "url": api, "name": repo.name},
                },
            }
            for p in run.pull_requests
        ],
        "created_at": ts(run.created_ms),
        "updated_at": ts(attempt.finished_ms if done else attempt.started_ms),
        "actor": user(run.actor),
        "run_attempt": number,
        "referenced_workflows": [],
        "run_started_at": ts(attempt.started_ms),
        "triggering_actor": user(run.actor),
        "jobs_url": f"{url}/jobs",
        "logs_url": f"{url}/logs",
        "check_suite_url": f"{api}/check-suites/{run.id * 2 + number}",
        "artifacts_url": f"{url}/artifacts",
        "cancel_url": f"{url}/cancel",
        "rerun_url": f"{url}/rerun",
        "previous_attempt_url": f"{url}/attempts/{number - 1}" if number > 1 else None,
        "workflow_url": f"{api}/actions/workflows/{WORKFLOW_IDS[run.name] + repo.index * 10}",
        "head_commit": {
            "id": head.sha,
            "tree_id": head.tree,
            "message": head.message.rstrip("\n"),
            "timestamp": ts(head.committer_ms),
            "author": {"name": head.author.name, "email": head.author.email},
            "committer": {"name": head.committer.name, "email": head.committer.email},
        },
        "repository": repository(repo),
        "head_repository": repository(repo),
    }


def release(history: RepoHistory, tag: Tag, previous: Tag | None) -> dict[str, Any]:
    repo = history.repo
    api = f"{GITHUB_API}/repos/{repo.full_name}"
    lines = ["## What's Changed"] + [
        f"* {p.title} by @{p.author.login} in {GITHUB_WEB}/{repo.full_name}/pull/{p.number}"
        for p in tag.pulls
    ]
    if previous is not None:
        lines += [
            "",
            f"**Full Changelog**: {GITHUB_WEB}/{repo.full_name}/compare/{previous.name}...{tag.name}",
        ]
    return {
        "url": f"{api}/releases/{tag.release_id}",
        "assets_url": f"{api}/releases/{tag.release_id}/assets",
        "upload_url": f"https://uploads.github.com/repos/{repo.full_name}/releases/{tag.release_id}/assets{{?name,label}}",
        "html_url": f"{GITHUB_WEB}/{repo.full_name}/releases/tag/{tag.name}",
        "id": tag.release_id,
        "author": user(tag.tagger),
        "node_id": node_id("Release", tag.release_id),
        "tag_name": tag.name,
        "target_commitish": tag.target_commitish,
        "name": tag.name,
        "draft": False,
        "prerelease": False,
        "created_at": ts(history.by_sha[tag.sha].committer_ms),
        "published_at": ts(tag.ms + 30 * SECOND_MS),
        "assets": [],
        "tarball_url": f"{api}/tarball/{tag.name}",
        "zipball_url": f"{api}/zipball/{tag.name}",
        "body": "\n".join(lines),
    }


def repository_of(full_name: str) -> Repository | None:
    return next((r for r in REPOSITORIES if r.full_name.lower() == full_name.lower()), None)
