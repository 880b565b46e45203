"""Hand-written Git, GitHub and PagerDuty payloads for the delivery model tests, landed via RawStore.

The shapes are the real ones (DEVELOPERS.md, "Delivery entities"): git commits as ``git log``
printed them, GitHub REST v3 pull requests, PR commits, reviews, deployments, deployment statuses,
workflow runs and releases, PagerDuty v2 incidents and log entries. Commits are declared with a
label (``"a1"``); their SHAs are derived from it, so tests can say ``repo.sha("a1")``.

Times are written ``"2026-07-01 10:00"`` (UTC) unless an offset is given explicitly.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone

import duckdb

from extractors.common.raw_store import RawRecord, RawStore

API = "https://api.github.com"
WEB = "https://github.com"
FETCHED_AT = datetime(2026, 8, 31, 12, 0)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def gh_time(text: str | None) -> str | None:
    """'2026-07-01 10:00' → GitHub's '2026-07-01T10:00:00Z'."""
    return None if text is None else utc(text).strftime("%Y-%m-%dT%H:%M:%SZ")


def pd_time(text: str | None) -> str | None:
    return None if text is None else utc(text).strftime("%Y-%m-%dT%H:%M:%S.000000Z")


def git_time(text: str, offset_hours: float = 0) -> str:
    """'2026-07-01 10:00' (UTC) → git's strict ISO with the author's offset."""
    zone = timezone(timedelta(hours=offset_hours))
    return utc(text).astimezone(zone).isoformat()


def sha_of(label: str) -> str:
    return hashlib.sha1(label.encode()).hexdigest()


def account(login: str, kind: str | None = None) -> dict:
    kind = kind or ("Bot" if login.endswith("[bot]") else "User")
    return {
        "login": login,
        "id": int(hashlib.sha1(login.encode()).hexdigest()[:7], 16),
        "type": kind,
        "url": f"{API}/users/{login}",
        "site_admin": False,
    }


@dataclass
class GitRepo:
    """One repository: its commits (as the git extractor lands them) and refs."""

    repository: str
    source: str
    shas: dict[str, str] = field(default_factory=dict)
    commits: list[dict] = field(default_factory=list)
    refs: list[dict] = field(default_factory=list)

    def sha(self, label: str) -> str:
        return self.shas[label]

    def commit(
        self,
        label: str,
        parents: tuple[str, ...] | list[str] = (),
        at: str = "2026-07-01 10:00",
        message: str | None = None,
        *,
        author: str = "Dana Developer",
        email: str | None = None,
        committed_at: str | None = None,
        offset_hours: float = 0,
        files: list[tuple[str, int | None, int | None]] | None = None,
        sha: str | None = None,
    ) -> str:
        sha = sha or sha_of(f"{self.repository}:{label}")
        self.shas[label] = sha
        parent_shas = [self.shas.get(p, p) for p in parents]
        email = email or author.lower().replace(" ", ".") + "@acme.example"
        files = files if files is not None else ([] if len(parent_shas) > 1 else [(f"src/{label}.py", 10, 2)])
        self.commits.append(
            {
                "sha": sha,
                "parents": parent_shas,
                "author": {"name": author, "email": email, "date": git_time(at, offset_hours)},
                "committer": {
                    "name": author,
                    "email": email,
                    "date": git_time(committed_at or at, offset_hours),
                },
                "message": message or f"Commit {label}",
                "files": [{"path": p, "additions": a, "deletions": d} for p, a, d in files],
                "repository": self.repository,
            }
        )
        return sha

    def detached(
        self,
        label: str,
        parents: tuple[str, ...] | list[str],
        at: str,
        message: str,
        author: str = "Dana Developer",
    ) -> dict:
        """A commit payload that never reaches the clone (a squash-merged branch's commits): it is
        not landed in raw.git_commits, only listed by its pull request."""
        kept = list(self.commits)
        self.commit(label, parents, at, message, author=author)
        payload = self.commits[-1]
        self.commits = kept
        return payload

    def ref(self, name: str, label_or_sha: str, kind: str = "branch", deleted: bool = False) -> None:
        sha = self.shas.get(label_or_sha, label_or_sha)
        self.refs.append(
            {
                "ref": name,
                "type": kind,
                "sha": sha,
                "object_sha": sha,
                "tagger_date": None,
                "deleted": deleted,
            }
        )

    def payload(self, label: str) -> dict:
        return next(c for c in self.commits if c["sha"] == self.shas[label])


@dataclass
class DeliveryFixture:
    """Everything one test warehouse lands from Git, GitHub and PagerDuty."""

    github_source: str = "demo-github"
    pagerduty_source: str = "demo-pagerduty"
    repos: dict[str, GitRepo] = field(default_factory=dict)
    github: dict[str, list[tuple[RawRecord, datetime | None]]] = field(default_factory=dict)
    pagerduty: dict[str, list[tuple[RawRecord, datetime | None]]] = field(default_factory=dict)
    _ids: int = 900_000_000

    def next_id(self) -> int:
        self._ids += 1
        return self._ids

    # -- git ---------------------------------------------------------------------------------------
    def repo(self, repository: str, source: str | None = None) -> GitRepo:
        if repository not in self.repos:
            self.repos[repository] = GitRepo(repository, source or f"git-{repository.split('/')[-1]}")
        return self.repos[repository]

    # -- github ------------------------------------------------------------------------------------
    def _add(self, table: str, record: RawRecord, fetched_at: datetime | None = None) -> None:
        self.github.setdefault(table, []).append((record, fetched_at))

    def pull_request(
        self,
        repository: str,
        number: int,
        *,
        title: str,
        head_ref: str,
        author: str = "dana",
        created_at: str,
        commits: list[str] = (),
        merged_at: str | None = None,
        closed_at: str | None = None,
        merge_commit: str | None = None,
        draft: bool = False,
        additions: int | None = None,
        deletions: int | None = None,
        pr_id: int | None = None,
        fetched_at: datetime | None = None,
        updated_at: str | None = None,
        head_sha: str | None = None,
    ) -> int:
        """A PR version (call again with the same pr_id and a later fetched_at for a new version).
        ``commits`` are labels of commits of the repo (payloads copied from git) or SHAs."""
        repo = self.repos[repository]
        pr_id = pr_id or self.next_id()
        shas = [repo.shas.get(c, c) for c in commits]
        merge_sha = repo.shas.get(merge_commit, merge_commit) if merge_commit else None
        payload = {
            "url": f"{API}/repos/{repository}/pulls/{number}",
            "id": pr_id,
            "number": number,
            "state": "closed" if (merged_at or closed_at) else "open",
            "title": title,
            "user": account(author),
            "body": "",
            "created_at": gh_time(created_at),
            "updated_at": gh_time(updated_at or merged_at or closed_at or created_at),
            "closed_at": gh_time(closed_at or merged_at),
            "merged_at": gh_time(merged_at),
            "merge_commit_sha": merge_sha,
            "labels": [],
            "draft": draft,
            "head": {
                "ref": head_ref,
                "sha": head_sha or (shas[-1] if shas else None),
                "repo": {"full_name": repository},
            },
            "base": {"ref": "main", "sha": None, "repo": {"full_name": repository}},
        }
        if additions is not None:
            payload["additions"], payload["deletions"] = additions, deletions
        self._add("github_pull_requests", RawRecord(str(pr_id), payload, repository), fetched_at)
        return pr_id

    def pr_commits(
        self, repository: str, pr_id: int, commits: list[dict | str], fetched_at: datetime | None = None
    ) -> None:
        """Commits a PR lists: labels of git commits, or commit payloads (for commits that never
        reach the clone, such as the branch commits of a squash merge)."""
        repo = self.repos[repository]
        for item in commits:
            c = repo.payload(item) if isinstance(item, str) else item
            element = {
                "sha": c["sha"],
                "commit": {"author": c["author"], "committer": c["committer"], "message": c["message"]},
                "url": f"{API}/repos/{repository}/commits/{c['sha']}",
                "author": account(c["author"]["email"].split("@")[0].replace(".", "-")),
                "parents": [{"sha": p, "url": f"{API}/repos/{repository}/commits/{p}"} for p in c["parents"]],
            }
            self._add(
                "github_pull_request_commits",
                RawRecord(f"{pr_id}:{c['sha']}", element, str(pr_id)),
                fetched_at,
            )

    def timeline_event(self, pr_id: int, event: str, at: str, actor: str = "dana") -> None:
        """An element of GET …/issues/{n}/timeline (ready_for_review, convert_to_draft …)."""
        event_id = self.next_id()
        payload = {
            "id": event_id,
            "event": event,
            "actor": account(actor),
            "created_at": gh_time(at),
            "commit_id": None,
            "performed_via_github_app": None,
        }
        self._add("github_pull_request_timeline", RawRecord(f"{pr_id}:{event_id}", payload, str(pr_id)))

    def review(
        self, repository: str, pr_id: int, number: int, reviewer: str, at: str, state: str = "APPROVED"
    ) -> None:
        review_id = self.next_id()
        payload = {
            "id": review_id,
            "user": account(reviewer),
            "body": "",
            "state": state,
            "pull_request_url": f"{API}/repos/{repository}/pulls/{number}",
            "author_association": "MEMBER",
            "submitted_at": gh_time(at) if state != "PENDING" else None,
            "commit_id": None,
        }
        self._add("github_pull_request_reviews", RawRecord(str(review_id), payload, str(pr_id)))

    def deployment(
        self,
        repository: str,
        sha_or_label: str,
        environment: str,
        created_at: str,
        statuses: list[tuple[str, str]],
        *,
        ref: str = "main",
        run_id: int | None = None,
        attempt: int = 1,
        deployment_id: int | None = None,
        description: str = "",
    ) -> int:
        """A GitHub deployment record and its statuses [(state, at), …]."""
        repo = self.repos.get(repository)
        sha = repo.shas.get(sha_or_label, sha_or_label) if repo else sha_or_label
        deployment_id = deployment_id or self.next_id()
        api = f"{API}/repos/{repository}"
        payload = {
            "url": f"{api}/deployments/{deployment_id}",
            "id": deployment_id,
            "sha": sha,
            "ref": ref,
            "task": "deploy",
            "payload": {},
            "original_environment": environment,
            "environment": environment,
            "description": description or None,
            "creator": account("github-actions[bot]"),
            "created_at": gh_time(created_at),
            "updated_at": gh_time(statuses[-1][1] if statuses else created_at),
            "statuses_url": f"{api}/deployments/{deployment_id}/statuses",
            "repository_url": api,
            "transient_environment": environment.startswith("preview"),
            "production_environment": environment in ("production", "prod-eu"),
        }
        self._add("github_deployments", RawRecord(str(deployment_id), payload, repository))
        log = f"{WEB}/{repository}/actions/runs/{run_id}/job/{run_id + attempt}" if run_id else ""
        for state, at in statuses:
            status_id = self.next_id()
            self._add(
                "github_deployment_statuses",
                RawRecord(
                    str(status_id),
                    {
                        "url": f"{api}/deployments/{deployment_id}/statuses/{status_id}",
                        "id": status_id,
                        "state": state,
                        "creator": account("github-actions[bot]"),
                        "description": "",
                        "environment": environment,
                        "target_url": log,
                        "log_url": log,
                        "created_at": gh_time(at),
                        "updated_at": gh_time(at),
                        "deployment_url": f"{api}/deployments/{deployment_id}",
                        "repository_url": api,
                        "environment_url": "",
                    },
                    str(deployment_id),
                ),
            )
        return deployment_id

    def workflow_run(
        self,
        repository: str,
        run_id: int,
        name: str,
        sha_or_label: str,
        created_at: str,
        attempts: list[tuple[str, str, str | None]],
        *,
        head_branch: str = "main",
        event: str = "push",
    ) -> None:
        """A workflow run landed once per attempt [(conclusion, started_at, finished_at)], each
        version fetched an hour after it finished (as re-runs are seen by later extractions)."""
        repo = self.repos.get(repository)
        sha = repo.shas.get(sha_or_label, sha_or_label) if repo else sha_or_label
        for number, (conclusion, started, finished) in enumerate(attempts, start=1):
            payload = {
                "id": run_id,
                "name": name,
                "head_branch": head_branch,
                "head_sha": sha,
                "path": f".github/workflows/{name}.yml",
                "display_title": name,
                "run_number": run_id % 1000,
                "event": event,
                "status": "completed" if finished else "in_progress",
                "conclusion": conclusion if finished else None,
                "workflow_id": 7001,
                "created_at": gh_time(created_at),
                "updated_at": gh_time(finished or started),
                "run_attempt": number,
                "run_started_at": gh_time(started),
                "actor": account("dana"),
                "triggering_actor": account("dana"),
                "repository": {"full_name": repository},
                "pull_requests": [],
            }
            fetched = utc(finished or started).replace(tzinfo=None) + timedelta(hours=1)
            self._add("github_workflow_runs", RawRecord(str(run_id), payload, repository), fetched)

    def release(self, repository: str, tag: str, at: str, target: str = "main") -> None:
        release_id = self.next_id()
        self._add(
            "github_releases",
            RawRecord(
                str(release_id),
                {
                    "url": f"{API}/repos/{repository}/releases/{release_id}",
                    "id": release_id,
                    "tag_name": tag,
                    "target_commitish": target,
                    "name": tag,
                    "draft": False,
                    "prerelease": False,
                    "author": account("github-actions[bot]"),
                    "created_at": gh_time(at),
                    "published_at": gh_time(at),
                },
                repository,
            ),
        )

    # -- pagerduty ---------------------------------------------------------------------------------
    def incident(
        self,
        incident_id: str,
        service_id: str,
        title: str,
        created_at: str,
        *,
        resolved_at: str | None = None,
        description: str | None = None,
        notes: list[tuple[str, str]] = (),
        number: int | None = None,
        urgency: str = "high",
    ) -> None:
        status = "resolved" if resolved_at else "triggered"
        number = number or (len(self.pagerduty.get("pagerduty_incidents", [])) + 1)
        payload = {
            "id": incident_id,
            "type": "incident",
            "incident_number": number,
            "title": title,
            "description": description or title,
            "summary": f"[#{number}] {title}",
            "status": status,
            "urgency": urgency,
            "incident_key": hashlib.md5(incident_id.encode()).hexdigest(),
            "service": {"id": service_id, "type": "service_reference", "summary": service_id},
            "created_at": pd_time(created_at),
            "last_status_change_at": pd_time(resolved_at or created_at),
            "html_url": f"https://acme.pagerduty.com/incidents/{incident_id}",
        }
        self.pagerduty.setdefault("pagerduty_incidents", []).append(
            (RawRecord(incident_id, payload, service_id), None)
        )
        entries = [("trigger_log_entry", created_at, "Triggered through the API.", None)]
        entries += [("annotate_log_entry", at, "Note added", text) for at, text in notes]
        if resolved_at:
            entries.append(("resolve_log_entry", resolved_at, "Resolved by Dana.", None))
        for n, (kind, at, summary, note) in enumerate(entries):
            entry_id = f"R{incident_id}{n:03d}"
            channel = {"type": "note", "summary": note} if note else {"type": "api"}
            self.pagerduty.setdefault("pagerduty_log_entries", []).append(
                (
                    RawRecord(
                        entry_id,
                        {
                            "id": entry_id,
                            "type": kind,
                            "summary": summary,
                            "created_at": pd_time(at),
                            "channel": channel,
                            "incident": {"id": incident_id, "type": "incident_reference"},
                            "agent": {"id": "PUSER1", "type": "user_reference", "summary": "Dana"},
                        },
                        incident_id,
                    ),
                    None,
                )
            )

    # -- landing -----------------------------------------------------------------------------------
    def land(self, con: duckdb.DuckDBPyConnection, fetched_at: datetime = FETCHED_AT) -> None:
        store = RawStore(con)

        def stage(
            table: str, source: str, records: list[tuple[RawRecord, datetime | None]], batch: str
        ) -> None:
            by_time: dict[datetime, list[RawRecord]] = {}
            for record, when in records:
                by_time.setdefault(when or fetched_at, []).append(record)
            for when, group in sorted(by_time.items()):
                store.stage(table, source, group, request=f"test {table}", batch_id=batch, fetched_at=when)

        for repo in self.repos.values():
            batch = store.start_batch(repo.source, "git")
            stage(
                "git_commits",
                repo.source,
                [(RawRecord(c["sha"], c, repo.repository), None) for c in repo.commits],
                batch,
            )
            if repo.refs:
                stage(
                    "git_refs",
                    repo.source,
                    [(RawRecord(r["ref"], r, repo.repository), None) for r in repo.refs],
                    batch,
                )
        batch = store.start_batch(self.github_source, "github")
        for table, records in self.github.items():
            stage(table, self.github_source, records, batch)
        batch = store.start_batch(self.pagerduty_source, "pagerduty")
        for table, records in self.pagerduty.items():
            stage(table, self.pagerduty_source, records, batch)
        store.checkpoint()
