"""The repositories on disk: real Git clones written with ``git fast-import`` whose objects are the
ones the simulation computed, with the planted shapes and the simulated dates."""

from __future__ import annotations

import re
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from extractors.simulation import OrgConfig, SimulatedOrganisation


def git(path: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(path), *args], capture_output=True, text=True, check=True).stdout


@pytest.fixture(scope="module")
def repos(small_org, tmp_path_factory) -> dict[str, Path]:
    return small_org.write_git_repositories(tmp_path_factory.mktemp("clones"))


@pytest.fixture(scope="module")
def log(repos) -> dict[str, dict[str, dict]]:
    """Every commit of every clone as ``git log --all`` prints it."""
    out = {}
    for name, path in repos.items():
        text = git(path, "log", "--all", "--format=%H%x1f%P%x1f%an%x1f%aI%x1f%cn%x1f%cI%x1f%B%x1e")
        commits = {}
        for record in text.split("\x1e"):
            record = record.strip("\n")
            if not record:
                continue
            sha, parents, author, authored, committer, committed, message = record.split("\x1f")
            commits[sha] = {
                "parents": parents.split(),
                "author": author,
                "authored": authored,
                "committer": committer,
                "committed": committed,
                "message": message,
            }
        out[name] = commits
    return out


def test_repositories_are_valid_clones_with_main_checked_out(repos):
    assert set(repos) == {"acme/payments-service", "acme/mobile-app"}
    for name, path in repos.items():
        assert path == path.parent.parent / name
        fsck = subprocess.run(
            ["git", "-C", str(path), "fsck", "--strict", "--no-dangling"], capture_output=True, text=True
        )
        assert fsck.returncode == 0, fsck.stderr
        assert git(path, "symbolic-ref", "HEAD").strip() == "refs/heads/main"
        assert git(path, "status", "--porcelain") == ""
        assert (path / "README.md").exists()
        assert git(path, "config", "remote.origin.url").strip() == f"https://github.com/{name}.git"
        assert git(path, "rev-parse", "main") == git(path, "rev-parse", "origin/main")


def test_the_clone_holds_exactly_the_reachable_commits_with_simulated_dates(small_org, repos, log):
    truth = small_org.delivery_truth()
    for name in repos:
        expected = {c.sha: c for c in truth.commits.values() if c.repository == name and c.in_clone}
        assert set(log[name]) == set(expected)
        for sha, seen in log[name].items():
            c = expected[sha]
            assert datetime.fromisoformat(seen["authored"]) == c.author_at
            assert datetime.fromisoformat(seen["committed"]) == c.committer_at
            assert tuple(seen["parents"]) == c.parents


def test_planted_shapes_show_in_git_log(repos, log):
    for name, path in repos.items():
        commits = log[name]
        messages = [c["message"] for c in commits.values()]
        assert any(
            len(c["parents"]) == 2 and c["message"].startswith("Merge pull request #")
            for c in commits.values()
        )
        assert any(re.search(r" \(#\d+\)$", m.split("\n")[0]) for m in messages)  # squash merges
        rebased = [
            c
            for c in commits.values()
            if c["authored"] != c["committed"]
            and len(c["parents"]) == 1
            and datetime.fromisoformat(c["authored"]) < datetime.fromisoformat(c["committed"])
        ]
        assert rebased
        assert any(not re.search(r"[A-Z]+-\d+", m) for m in messages)  # commits without an issue key
        branches = git(path, "for-each-ref", "--format=%(refname)", "refs/remotes/origin/").split()
        assert any(
            re.fullmatch(r"refs/remotes/origin/(feature|bugfix)/[A-Z]+-\d+-[a-z0-9-]+", b) for b in branches
        )
        tags = git(path, "for-each-ref", "--format=%(objecttype) %(refname)", "refs/tags/").split("\n")
        assert tags[0].startswith("tag refs/tags/v2026.")  # annotated release tags
    payments, mobile = log["acme/payments-service"], log["acme/mobile-app"]
    everything = list(payments.values()) + list(mobile.values())
    assert any(c["author"] == "dependabot[bot]" for c in everything)
    reverts = [c for c in payments.values() if "This reverts commit" in c["message"]]
    assert reverts
    reverted = re.search(r"This reverts commit ([0-9a-f]{40})\.", reverts[0]["message"]).group(1)
    assert reverted in payments
    mobile_branches = git(repos["acme/mobile-app"], "for-each-ref", "--format=%(refname)", "refs/remotes/")
    assert re.search(r"^refs/remotes/origin/hotfix/", mobile_branches, re.M)


def test_change_sets_match_git_rev_list(small_org, repos):
    truth = small_org.delivery_truth()
    for service, name in (("payments-api", "acme/payments-service"), ("mobile-backend", "acme/mobile-app")):
        earlier: list[str] = []
        for d in truth.production_deployments(service):
            if earlier:
                since_previous = git(repos[name], "rev-list", d.sha, f"^{earlier[-1]}").split()
                first = git(repos[name], "rev-list", d.sha, "--not", *earlier, "--").split()
            else:
                since_previous = first = git(repos[name], "rev-list", d.sha).split()
            assert since_previous == list(d.change_set), d.id  # newest first, as git lists them
            assert set(first) == set(d.first_deployed_shas), d.id
            earlier.append(d.sha)


def test_writing_is_idempotent_and_follows_the_clock(tmp_path):
    org = SimulatedOrganisation.generate(OrgConfig(flow_items=120))
    early = datetime(2026, 8, 1, tzinfo=UTC)
    paths = org.write_git_repositories(tmp_path, as_of=early)
    path = paths["acme/payments-service"]
    head = git(path, "rev-parse", "main")
    latest = git(path, "log", "-1", "--all", "--date-order", "--format=%cI").strip()
    assert datetime.fromisoformat(latest) <= early
    marker = path / ".git" / "untouched"
    marker.write_text("x")
    assert org.write_git_repositories(tmp_path, as_of=early) == paths
    assert marker.exists()  # nothing was rewritten
    org.write_git_repositories(tmp_path)  # the clock: the end of the period
    assert not marker.exists()
    assert git(path, "merge-base", "--is-ancestor", head.strip(), "main") == ""
    history = org.delivery.repos[0]
    assert git(path, "rev-parse", "main").strip() == history.refs["main"][-1][1]


def test_refuses_to_replace_a_foreign_directory(small_org, tmp_path):
    foreign = tmp_path / "acme" / "payments-service"
    foreign.mkdir(parents=True)
    (foreign / "notes.txt").write_text("mine")
    with pytest.raises(FileExistsError):
        small_org.write_git_repositories(tmp_path)
    assert (foreign / "notes.txt").read_text() == "mine"


def test_a_branch_rewritten_by_a_rebase_disappears_from_the_clone(small_org, tmp_path):
    """A force-pushed branch: its old commits are in an early clone and gone from a later one."""
    pulls = [(h, p) for h in small_org.delivery.repos for p in h.pulls if p.force_pushes]
    history, pr = pulls[0]
    at, before, after = pr.force_pushes[0]
    when = datetime.fromtimestamp((at - 1000) / 1000, UTC)
    path = small_org.write_git_repositories(tmp_path / "early", as_of=when)[history.repo.full_name]
    assert git(path, "rev-parse", f"origin/{pr.head_ref}").strip() == before
    later = small_org.write_git_repositories(tmp_path / "later", as_of=when + timedelta(seconds=2))
    assert git(later[history.repo.full_name], "rev-parse", f"origin/{pr.head_ref}").strip() == after
