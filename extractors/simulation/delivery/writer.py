"""Writing the repositories to disk as real Git clones, with one ``git fast-import`` per repository.

The stream holds the commits reachable from the branches and tags as of the chosen instant (what a
clone fetched then would hold), parents first, each with its author and committer dates as
simulated; annotated release tags; then every ref. The marks ``git fast-import`` exports are read
back and must equal the SHAs computed while generating (the same bytes make the same objects).

The result is a normal clone: ``main`` checked out, every branch (``main`` included) under
``refs/remotes/origin``, ``origin`` pointing at GitHub (never fetched). The branch refs go into
``packed-refs`` in one write (``git fast-import`` would write a loose file per ref, slow where many
branches are alive). Writing is idempotent: a repository whose stamp already matches is left alone;
one written for another instant is replaced.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from extractors.simulation.delivery.catalog import GITHUB_WEB
from extractors.simulation.delivery.gitobjects import render
from extractors.simulation.delivery.model import Commit, RepoHistory, Tag
from extractors.simulation.delivery.truth import clone_commits

STAMP = "streamgauge-simulation"
_KEEP = ("PATH", "HOME", "LANG", "TMPDIR", "SYSTEMROOT")


class GitWriteError(RuntimeError):
    """``git`` failed or wrote other objects than the simulation computed."""


def git_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k in _KEEP}
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull, GIT_TERMINAL_PROMPT="0", LC_ALL="C")
    return env


def git(path: Path, *args: str, stdin: bytes | None = None) -> bytes:
    done = subprocess.run(
        ["git", "-C", str(path), *args], input=stdin, capture_output=True, env=git_env(), check=False
    )
    if done.returncode != 0:
        raise GitWriteError(
            f"git {' '.join(args[:2])} in {path} failed: {done.stderr.decode(errors='replace')[:400]}"
        )
    return done.stdout


def _data(payload: bytes) -> bytes:
    return b"data %d\n%s\n" % (len(payload), payload)


def _ident(kind: str, name: str, email: str, ms: int, offset: str) -> bytes:
    return f"{kind} {name} <{email}> {ms // 1000} {offset}\n".encode()


def fast_import_stream(commits: list[Commit], main: str | None, tags: list[Tag]) -> tuple[bytes, list[str]]:
    """The fast-import stream (commits, annotated tags, ``refs/heads/main`` at ``main``) and the SHAs in
    mark order (mark ``n`` is ``shas[n - 1]``)."""
    marks = {c.sha: n for n, c in enumerate(commits, start=1)}
    out: list[bytes] = [b"feature done\n"]
    for n, c in enumerate(commits, start=1):
        out.append(b"commit refs/heads/main\nmark :%d\n" % n)
        out.append(_ident("author", c.author.name, c.author.email, c.author_ms, c.author_tz))
        out.append(_ident("committer", c.committer.name, c.committer.email, c.committer_ms, c.committer_tz))
        out.append(_data(c.message.encode()))
        if c.parents:
            out.append(b"from :%d\n" % marks[c.parents[0]])
            out += [b"merge :%d\n" % marks[p] for p in c.parents[1:]]
        for path, blob in c.changes:
            if blob is None:
                out.append(f"D {path}\n".encode())
            else:
                out.append(f"M 100644 inline {path}\n".encode())
                out.append(_data(render(path, blob.stamps)))
        out.append(b"\n")
    for tag in tags:
        out.append(f"tag {tag.name}\nfrom :{marks[tag.sha]}\n".encode())
        out.append(_ident("tagger", tag.tagger.name, tag.tagger.email, tag.ms, "+0000"))
        out.append(_data(tag.message.encode()))
    if main is not None:
        out.append(f"reset refs/heads/main\nfrom :{marks[main]}\n\n".encode())
    out.append(b"done\n")
    return b"".join(out), [c.sha for c in commits]


def fingerprint(history: RepoHistory, branches: dict[str, str], tags: list[Tag]) -> str:
    text = "\n".join(
        [f"{k} {v}" for k, v in sorted(branches.items())] + [f"tag {t.name} {t.sha}" for t in tags]
    )
    return hashlib.sha256(f"{history.repo.full_name}\n{text}".encode()).hexdigest()


def write_repository(history: RepoHistory, path: Path, as_of_ms: int) -> Path:
    """Write (or keep) the clone of ``history`` as of ``as_of_ms`` at ``path``."""
    branches = {
        name: sha for name, sha in history.branches_at(as_of_ms).items() if not name.startswith("tags/")
    }
    tags = history.tags_at(as_of_ms)
    stamp = fingerprint(history, branches, tags)
    stamp_file = path / ".git" / STAMP
    if stamp_file.exists() and stamp_file.read_text().strip() == stamp:
        return path
    if path.exists() and any(path.iterdir()) and not stamp_file.exists():
        raise FileExistsError(f"{path} exists and was not written by the simulation; not replacing it")
    reachable = clone_commits(history, as_of_ms)
    commits = [c for c in history.commits if c.sha in reachable]
    stream, expected = fast_import_stream(commits, branches.get("main"), tags)
    path.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    try:
        git(work, "init", "--quiet", "--initial-branch=main")
        marks = work / ".git" / "sim-marks"
        git(work, "fast-import", "--quiet", f"--export-marks={marks}", stdin=stream)
        written = dict(line.split() for line in marks.read_text().splitlines())
        marks.unlink()
        got = [written[f":{n}"] for n in range(1, len(expected) + 1)]
        if got != expected:
            bad = next(n for n, (a, b) in enumerate(zip(got, expected, strict=True)) if a != b)
            raise GitWriteError(
                f"{history.repo.full_name}: git wrote {got[bad]} where the simulation "
                f"computed {expected[bad]} (commit {bad + 1})"
            )
        packed = "".join(f"{sha} refs/remotes/origin/{name}\n" for name, sha in sorted(branches.items()))
        (work / ".git" / "packed-refs").write_text("# pack-refs with: peeled fully-peeled sorted \n" + packed)
        url = f"{GITHUB_WEB}/{history.repo.full_name}.git"
        git(work, "config", "remote.origin.url", url)
        git(work, "config", "remote.origin.fetch", "+refs/heads/*:refs/remotes/origin/*")
        git(work, "config", "branch.main.remote", "origin")
        git(work, "config", "branch.main.merge", "refs/heads/main")
        git(work, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/main")
        if "main" in branches:
            git(work, "reset", "--hard", "--quiet", "main")
        (work / ".git" / STAMP).write_text(stamp + "\n")
        if path.exists():
            shutil.rmtree(path)
        work.rename(path)
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)
    return path


def write_repositories(histories: tuple[RepoHistory, ...], root: Path, as_of_ms: int) -> dict[str, Path]:
    """Every repository under ``root/<owner>/<name>``; returns ``{"owner/name": path}``."""
    root = Path(root)
    return {h.repo.full_name: write_repository(h, root / h.repo.full_name, as_of_ms) for h in histories}
