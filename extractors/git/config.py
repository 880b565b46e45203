"""Settings of one local Git clone."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_REF_PREFIXES = ("refs/heads/", "refs/remotes/", "refs/tags/")


@dataclass(frozen=True)
class GitSourceConfig:
    """One local clone (working tree or bare). ``repository`` (``owner/name``) goes into every payload.

    ``ref_prefixes`` choose the refs whose history is read (``refs/pull/`` of a mirror clone, notes and
    the stash are left out by default). The extractor never fetches: keep the clone up to date
    yourself (``git fetch --prune``, or ``git remote update`` on a mirror).
    """

    name: str
    path: Path
    repository: str
    ref_prefixes: tuple[str, ...] = DEFAULT_REF_PREFIXES
    stage_every_commits: int = 1_000
    checkpoint_every_commits: int = 20_000
