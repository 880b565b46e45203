"""A local clone, read through the ``git`` command line (no library, no network).

Every command runs with the clone's path (``git -C``), without inherited ``GIT_DIR``-style variables,
without replace refs, and with the options that would change ``git log``'s output pinned, so the
same commit always yields the same payload whatever the user's configuration.
"""

from __future__ import annotations

import logging
import os
import subprocess
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from extractors.common.http import SourceError
from extractors.git.parse import (
    LOG_FORMAT,
    REF_FORMAT,
    GitOutputError,
    RefState,
    iter_commits,
    iter_nul_tokens,
    parse_ref_line,
)

log = logging.getLogger("streamgauge.git")

READ_CHUNK_BYTES = 1 << 16
# variables that would point git at another repository than the configured one
_REPOSITORY_VARIABLES = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_CEILING_DIRECTORIES",
    "GIT_DISCOVERY_ACROSS_FILESYSTEM",
)
_PINNED_CONFIG = (
    "log.showSignature=false",
    "diff.relative=false",
    "diff.external=",
    "core.quotePath=false",
)
LOG_OPTIONS = (
    "log",
    "--stdin",
    "-z",
    "--numstat",
    "-M",
    "--root",
    "--no-color",
    "--no-textconv",
    "--no-ext-diff",
    f"--format={LOG_FORMAT}",
)


class GitError(SourceError):
    """A ``git`` command failed; the message names the source, the command and git's own words."""


def git_environment(environ: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for ``git``: the caller's, minus repository overrides, never prompting."""
    source = os.environ if environ is None else environ
    env = {k: v for k, v in source.items() if k not in _REPOSITORY_VARIABLES}
    env["GIT_TERMINAL_PROMPT"] = "0"
    env["LC_ALL"] = "C"
    return env


class GitRepository:
    """Read-only access to one clone."""

    def __init__(self, path: Path | str, source: str, git: str = "git"):
        self.path = Path(path)
        self.source = source
        self._git = git
        self._env = git_environment()

    def command(self, *args: str) -> list[str]:
        config = [item for pair in _PINNED_CONFIG for item in ("-c", pair)]
        return [self._git, "--no-replace-objects", *config, "-C", str(self.path), *args]

    def _fail(self, args: Sequence[str], stderr: str) -> GitError:
        words = " ".join(stderr.strip().split())[:400]
        return GitError(f"{self.source}: `git {' '.join(args[:3])}` in {self.path} failed: {words}")

    def run(
        self, *args: str, stdin: str | None = None, ok_codes: Iterable[int] = (0,)
    ) -> subprocess.CompletedProcess:
        """Run one git command to completion (small outputs only)."""
        try:
            done = subprocess.run(
                self.command(*args),
                input=stdin.encode() if stdin is not None else None,
                capture_output=True,
                env=self._env,
                check=False,
            )
        except FileNotFoundError as exc:
            raise GitError(f"{self.source}: the `{self._git}` command is not installed") from exc
        if done.returncode not in tuple(ok_codes):
            raise self._fail(args, done.stderr.decode(errors="replace"))
        return done

    # -- refs -----------------------------------------------------------------------------------
    def verify(self) -> None:
        """Fail early, and clearly, when the path is not a Git repository."""
        if not self.path.exists():
            raise GitError(f"{self.source}: the repository path {self.path} does not exist")
        self.run("rev-parse", "--git-dir")

    def refs(self, prefixes: Sequence[str]) -> list[RefState]:
        """Every ref under ``prefixes`` (symbolic refs left out), with tags peeled to their commit."""
        out = self.run("for-each-ref", f"--format={REF_FORMAT}", *prefixes).stdout.decode(errors="replace")
        refs = []
        for line in out.splitlines():
            state = parse_ref_line(line)
            if state is None:
                continue
            if state.needs_peeling:
                state = RefState(
                    state.ref,
                    state.object_sha,
                    state.object_type,
                    self.peel(state.object_sha),
                    state.tagger_date,
                )
            refs.append(state)
        return refs

    def peel(self, sha: str) -> str | None:
        """The commit an object (a tag of a tag …) finally points at, or None when it is no commit."""
        done = self.run("rev-parse", "--verify", "--quiet", f"{sha}^{{commit}}", ok_codes=(0, 1))
        return done.stdout.decode().strip() or None

    def existing_commits(self, shas: Iterable[str]) -> set[str]:
        """Those of ``shas`` that are commits present in the object database."""
        wanted = sorted(set(shas))
        if not wanted:
            return set()
        out = self.run(
            "cat-file", "--batch-check=%(objectname) %(objecttype)", stdin="\n".join(wanted) + "\n"
        )
        present = set()
        for line in out.stdout.decode().splitlines():
            parts = line.split()
            if len(parts) == 2 and parts[1] == "commit":
                present.add(parts[0])
        return present

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        return self.run("merge-base", "--is-ancestor", ancestor, descendant, ok_codes=(0, 1)).returncode == 0

    def reachable_from_refs(self, sha: str, prefixes: Sequence[str]) -> bool:
        """True when some ref under ``prefixes`` contains ``sha`` in its history."""
        out = self.run("for-each-ref", "--count=1", f"--contains={sha}", "--format=%(refname)", *prefixes)
        return bool(out.stdout.strip())

    # -- history --------------------------------------------------------------------------------
    def iter_log(
        self, include: Sequence[str], exclude: Sequence[str], repository: str
    ) -> Iterator[dict[str, Any]]:
        """Commits reachable from ``include`` but not from ``exclude``, streamed as payloads.

        The revisions go to ``git log --stdin`` (no command-line length limit); the output is read in
        chunks and parsed as it arrives, so memory does not grow with the history.
        """
        if not include:
            return
        revisions = "".join(f"{sha}\n" for sha in include) + "".join(f"^{sha}\n" for sha in exclude)
        with tempfile.TemporaryFile() as stderr:
            try:
                process = subprocess.Popen(
                    self.command(*LOG_OPTIONS),
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=stderr,
                    env=self._env,
                )
            except FileNotFoundError as exc:
                raise GitError(f"{self.source}: the `{self._git}` command is not installed") from exc
            finished = False
            try:
                try:
                    process.stdin.write(revisions.encode())
                    process.stdin.close()
                except BrokenPipeError:
                    pass  # git stopped reading: its exit status and stderr say why
                chunks = iter(lambda: process.stdout.read(READ_CHUNK_BYTES), b"")
                try:
                    yield from iter_commits(iter_nul_tokens(chunks), repository)
                except GitOutputError as exc:
                    raise GitError(
                        f"{self.source}: cannot read `git log` output in {self.path}: {exc}"
                    ) from exc
                finished = True
            finally:
                if not finished and process.poll() is None:
                    process.kill()
                process.stdout.close()
                code = process.wait()
            if finished and code != 0:
                stderr.seek(0)
                raise self._fail(LOG_OPTIONS, stderr.read().decode(errors="replace"))
