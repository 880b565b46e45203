"""The Git extractor against real repositories built in the test with the ``git`` command line."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import duckdb
import orjson
import pytest

from extractors.common.raw_store import RawStore
from extractors.git.config import GitSourceConfig
from extractors.git.extract import COMMITS, CURSOR_ENTITY, REFS, extract_git
from extractors.git.repo import GitError, GitRepository

SOURCE = "acme-git"
REPOSITORY = "acme/payments"


class Repo:
    """A scratch repository whose commits carry the dates we choose."""

    def __init__(self, path: Path):
        self.path = path
        path.mkdir()
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
            "GIT_CONFIG_GLOBAL": os.devnull,
            "GIT_CONFIG_NOSYSTEM": "1",
            "HOME": str(path),
            "GIT_AUTHOR_NAME": "Ada Dev",
            "GIT_AUTHOR_EMAIL": "ada@acme.test",
            "GIT_COMMITTER_NAME": "Cy CI",
            "GIT_COMMITTER_EMAIL": "ci@acme.test",
        }
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str, date: str = "2024-01-01T09:00:00+01:00", author_date: str | None = None) -> str:
        env = {**self.env, "GIT_COMMITTER_DATE": date, "GIT_AUTHOR_DATE": author_date or date}
        done = subprocess.run(["git", "-C", str(self.path), *args], env=env, capture_output=True, check=True)
        return done.stdout.decode().strip()

    def commit(
        self, message: str, files: dict[str, str | bytes], date: str, author_date: str | None = None
    ) -> str:
        for name, content in files.items():
            target = self.path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content if isinstance(content, bytes) else content.encode())
        self.git("add", "-A")
        self.git("commit", "-q", "-m", message, date=date, author_date=author_date)
        return self.git("rev-parse", "HEAD")


@pytest.fixture
def repo(tmp_path):
    return Repo(tmp_path / "payments")


@pytest.fixture
def store():
    return RawStore(duckdb.connect())


def config(repo: Repo, **options) -> GitSourceConfig:
    return GitSourceConfig(name=SOURCE, path=repo.path, repository=REPOSITORY, **options)


def commits(store) -> dict[str, dict]:
    rows = store.con.execute(f"SELECT record_id, parent_id, payload::VARCHAR FROM raw.{COMMITS}").fetchall()
    assert all(parent == REPOSITORY for _, parent, _ in rows)
    return {sha: orjson.loads(payload) for sha, _, payload in rows}


def ref_rows(store) -> list[dict]:
    rows = store.con.execute(
        f"SELECT payload::VARCHAR FROM raw.{REFS} ORDER BY fetched_at, record_id"
    ).fetchall()
    return [orjson.loads(payload) for (payload,) in rows]


def build_history(repo: Repo) -> dict[str, str]:
    shas = {}
    shas["root"] = repo.commit(
        "Initial commit\n\nWith a body.",
        {"README.md": "hello\n", "logo.png": b"\x89PNG\0\1\2"},
        "2024-01-01T09:00:00+01:00",
    )
    repo.git("mv", "README.md", "docs.md")
    (repo.path / "docs.md").write_text("hello\nworld\n")
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "PAY-1 move readme", date="2024-01-02T09:00:00+01:00")
    shas["rename"] = repo.git("rev-parse", "HEAD")
    repo.git("checkout", "-q", "-b", "feature/pay-2")
    shas["feature"] = repo.commit("PAY-2 add api", {"api.py": "a = 1\nb = 2\n"}, "2024-01-03T10:00:00-05:00")
    repo.git("checkout", "-q", "main")
    shas["main2"] = repo.commit("PAY-3 fix", {"fix.py": "x\n"}, "2024-01-04T09:00:00+01:00")
    repo.git(
        "merge",
        "-q",
        "--no-ff",
        "-m",
        "Merge branch 'feature/pay-2'",
        "feature/pay-2",
        date="2024-01-05T09:00:00+01:00",
    )
    shas["merge"] = repo.git("rev-parse", "HEAD")
    repo.git("tag", "-a", "v1.0", "-m", "release 1.0", date="2024-01-06T12:00:00+01:00")
    repo.git("tag", "light", shas["main2"])
    return shas


def test_first_run_lands_every_commit_and_ref_exactly(repo, store):
    shas = build_history(repo)
    report = extract_git(store, config(repo))
    landed = commits(store)
    assert set(landed) == {shas[k] for k in ("root", "rename", "feature", "main2", "merge")}
    assert report.commits_received == 5 and report.landed == {COMMITS: 5, REFS: 4}

    assert landed[shas["root"]] == {
        "sha": shas["root"],
        "parents": [],
        "author": {"name": "Ada Dev", "email": "ada@acme.test", "date": "2024-01-01T09:00:00+01:00"},
        "committer": {"name": "Cy CI", "email": "ci@acme.test", "date": "2024-01-01T09:00:00+01:00"},
        "message": "Initial commit\n\nWith a body.",
        "files": [
            {"path": "README.md", "additions": 1, "deletions": 0},
            {"path": "logo.png", "additions": None, "deletions": None},
        ],
        "repository": REPOSITORY,
    }
    assert landed[shas["rename"]]["files"] == [{"path": "docs.md", "additions": 1, "deletions": 0}]
    assert landed[shas["feature"]]["author"]["date"] == "2024-01-03T10:00:00-05:00"
    merge = landed[shas["merge"]]
    assert merge["parents"] == [shas["main2"], shas["feature"]] and merge["files"] == []

    refs = {r["ref"]: r for r in ref_rows(store)}
    tag_object = repo.git("rev-parse", "v1.0")
    assert refs["refs/tags/v1.0"] == {
        "ref": "refs/tags/v1.0",
        "type": "tag",
        "sha": shas["merge"],
        "object_sha": tag_object,
        "tagger_date": "2024-01-06T12:00:00+01:00",
        "deleted": False,
    }
    assert refs["refs/tags/light"]["sha"] == refs["refs/tags/light"]["object_sha"] == shas["main2"]
    assert refs["refs/heads/feature/pay-2"]["type"] == "branch"
    cursor = orjson.loads(store.cursor(SOURCE, CURSOR_ENTITY))
    assert cursor == {
        "refs/heads/feature/pay-2": shas["feature"],
        "refs/heads/main": shas["merge"],
        "refs/tags/light": shas["main2"],
        "refs/tags/v1.0": shas["merge"],
    }


def test_incremental_runs_walk_only_new_history(repo, store):
    build_history(repo)
    extract_git(store, config(repo))
    again = extract_git(store, config(repo))
    assert again.commits_received == 0 and sum(again.landed.values()) == 0

    new = repo.commit("PAY-4 more", {"more.py": "y\n"}, "2024-02-01T09:00:00+01:00")
    report = extract_git(store, config(repo))
    assert report.commits_received == 1 and report.landed == {COMMITS: 1, REFS: 1}
    assert report.excluded_tips >= 2 and report.dropped_tips == 0
    assert new in commits(store)


def test_rebase_and_force_push_rewrite_history(repo, store):
    shas = build_history(repo)
    repo.git("checkout", "-q", "-b", "topic", shas["main2"])
    old_topic = repo.commit(
        "PAY-5 slow work",
        {"slow.py": "s\n"},
        "2024-01-04T12:00:00+01:00",
        author_date="2023-12-20T08:00:00+01:00",
    )
    extract_git(store, config(repo))

    # main is reset and rewritten (a force-push): the merge commit and its tag vanish from every ref
    repo.git("checkout", "-q", "main")
    repo.git("reset", "-q", "--hard", shas["main2"])
    rewritten = repo.commit("PAY-6 redo", {"redo.py": "r\n"}, "2024-02-10T09:00:00+01:00")
    repo.git("tag", "-d", "v1.0")
    # topic is rebased onto the new main: the same change, its old author date, a new committer date
    repo.git("checkout", "-q", "topic")
    repo.git("rebase", "-q", "main", date="2024-02-11T15:00:00+01:00")
    rebased = repo.git("rev-parse", "HEAD")

    report = extract_git(store, config(repo))
    assert rebased != old_topic
    assert report.dropped_tips == 2  # old topic and old main tips; everything else still excludes history
    assert report.landed[COMMITS] == 2
    landed = commits(store)
    assert landed[rebased]["author"]["date"] == "2023-12-20T08:00:00+01:00"
    assert landed[rebased]["committer"]["date"] == "2024-02-11T15:00:00+01:00"
    assert landed[rebased]["parents"] == [rewritten]
    assert landed[rewritten]["parents"] == [shas["main2"]]
    assert old_topic in landed  # history stays; marts decide what is still reachable
    deleted = [r for r in ref_rows(store) if r["deleted"]]
    assert [(r["ref"], r["sha"], r["type"]) for r in deleted] == [("refs/tags/v1.0", shas["merge"], "tag")]
    assert deleted[0]["tagger_date"] == "2024-01-06T12:00:00+01:00"


def test_deleted_branch_lands_one_deleted_record(repo, store):
    shas = build_history(repo)
    extract_git(store, config(repo))
    repo.git("branch", "-D", "feature/pay-2")
    report = extract_git(store, config(repo))
    assert report.deleted_refs == 1 and report.landed == {REFS: 1}
    (deleted,) = [r for r in ref_rows(store) if r["deleted"]]
    assert deleted == {
        "ref": "refs/heads/feature/pay-2",
        "type": "branch",
        "sha": shas["feature"],
        "object_sha": shas["feature"],
        "tagger_date": None,
        "deleted": True,
    }
    assert sum(extract_git(store, config(repo)).landed.values()) == 0
    assert "refs/heads/feature/pay-2" not in orjson.loads(store.cursor(SOURCE, CURSOR_ENTITY))


def test_small_chunks_and_an_interrupted_walk_land_nothing_twice(repo, store, monkeypatch):
    build_history(repo)
    for i in range(6):
        repo.commit(f"PAY-{10 + i}", {f"f{i}.txt": "x\n" * i}, f"2024-03-0{i + 1}T09:00:00+00:00")
    real_iter_log = GitRepository.iter_log

    def failing_iter_log(self, include, exclude, repository):
        for n, commit in enumerate(real_iter_log(self, include, exclude, repository)):
            if n == 7:
                raise RuntimeError("killed mid-walk")
            yield commit

    monkeypatch.setattr(GitRepository, "iter_log", failing_iter_log)
    with pytest.raises(RuntimeError):
        extract_git(store, config(repo, stage_every_commits=2, checkpoint_every_commits=3))
    assert len(commits(store)) == 4  # checkpointed once (after two chunks of two); the rest was pending
    assert store.cursor(SOURCE, CURSOR_ENTITY) is None
    assert store.con.execute("SELECT status FROM meta.batches").fetchall() == [("failed",)]

    monkeypatch.setattr(GitRepository, "iter_log", real_iter_log)
    report = extract_git(store, config(repo, stage_every_commits=2, checkpoint_every_commits=3))
    assert report.commits_received == 11 and report.landed[COMMITS] == 7
    counts = store.con.execute(f"SELECT count(*), count(DISTINCT record_id) FROM raw.{COMMITS}").fetchone()
    assert counts == (11, 11)


def test_a_path_that_is_no_repository_is_named(tmp_path, store):
    with pytest.raises(GitError, match="acme-git: the repository path .* does not exist"):
        extract_git(store, GitSourceConfig(SOURCE, tmp_path / "nope", REPOSITORY))
    (tmp_path / "empty").mkdir()
    with pytest.raises(GitError, match=r"acme-git: `git rev-parse --git-dir` in .* failed: fatal: not a git"):
        extract_git(store, GitSourceConfig(SOURCE, tmp_path / "empty", REPOSITORY))


def test_git_dir_in_the_environment_does_not_redirect_reads(repo, store, monkeypatch, tmp_path):
    build_history(repo)
    other = Repo(tmp_path / "other")
    other.commit("unrelated", {"z": "z"}, "2024-01-01T00:00:00+00:00")
    monkeypatch.setenv("GIT_DIR", str(other.path / ".git"))
    assert extract_git(store, config(repo)).commits_received == 5


def test_a_force_pushed_tip_that_was_garbage_collected_is_dropped(repo, store):
    shas = build_history(repo)
    extract_git(store, config(repo))
    repo.git("tag", "-d", "v1.0")
    repo.git("reset", "-q", "--hard", shas["main2"])
    repo.git("reflog", "expire", "--expire=now", "--all")
    repo.git("gc", "-q", "--prune=now")
    assert GitRepository(repo.path, SOURCE).existing_commits([shas["merge"]]) == set()
    report = extract_git(store, config(repo))
    assert report.dropped_tips == 1 and report.commits_received == 0
    assert {r["ref"] for r in ref_rows(store) if r["deleted"]} == {"refs/tags/v1.0"}
