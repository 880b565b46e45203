"""The files of a repository and how work changes them: an initial import, then edits of one to
three files of the module an item works in (a few lines replaced, inserted or deleted), the odd new
file, and dependency-manifest bumps. Deterministic from the repository's random stream."""

from __future__ import annotations

import random
from array import array

from extractors.simulation.delivery.catalog import Repository
from extractors.simulation.delivery.gitobjects import Blob, Tree

MAX_LINES, MIN_LINES = 48, 6
MAX_FILES_PER_MODULE = 24
Changes = tuple[tuple[str, Blob | None], ...]


class Editor:
    """Edits for one repository. ``fresh`` stamps never repeat within it."""

    def __init__(self, repo: Repository, rng: random.Random):
        self.repo = repo
        self.rng = rng
        self._next = 1_000 + repo.index * 7
        self._paths: dict[str, list[str]] = {}

    def fresh(self, n: int) -> array:
        out = array("I", range(self._next, self._next + n))
        self._next += n
        return out

    def module_paths(self, module: str) -> list[str]:
        if module not in self._paths:
            self._paths[module] = self._module_paths(module)
        return self._paths[module]

    def _module_paths(self, module: str) -> list[str]:
        repo = self.repo
        paths = [f"{repo.package}/{module}/{name}" for name in repo.files]
        paths.append(f"tests/test_{module}.py")
        if repo.manifest == "package.json":
            paths.append(f"app/src/{module}/{module.capitalize()}Screen.kt")
        return paths

    def initial(self) -> Changes:
        """Every file of the initial import."""
        paths = [
            "README.md",
            self.repo.manifest,
            ".github/workflows/ci.yml",
            ".github/workflows/deploy-production.yml",
        ]
        for module in self.repo.modules:
            paths += self.module_paths(module)
        return tuple((p, Blob.of(p, self.fresh(self.rng.randint(8, 20)).tobytes())) for p in sorted(paths))

    def module_for(self, key: int) -> str:
        return self.repo.modules[key % len(self.repo.modules)]

    def _changed(self, path: str, old: Blob | None) -> Blob:
        rng = self.rng
        stamps = array("I")
        if old is not None:
            stamps.frombytes(old.stamps)
        n = len(stamps)
        op = rng.random()
        if n and op < 0.55:
            k = rng.randint(1, min(4, n))
            pos = rng.randrange(0, n - k + 1)
            stamps[pos : pos + k] = self.fresh(k)
        elif op < 0.85 or n <= MIN_LINES + 1:
            pos = rng.randint(0, n)
            stamps[pos:pos] = self.fresh(rng.randint(1, 6))
        else:
            k = rng.randint(1, min(3, n - MIN_LINES))
            pos = rng.randrange(0, n - k + 1)
            del stamps[pos : pos + k]
        if len(stamps) > MAX_LINES:
            del stamps[: len(stamps) - MAX_LINES + rng.randint(4, 10)]
        return Blob.of(path, stamps.tobytes())

    def edit(self, tree: Tree, module: str, new_file: str | None = None) -> Changes:
        """A commit's worth of changes in ``module`` (optionally creating ``new_file`` there)."""
        rng = self.rng
        directory = f"{self.repo.package}/{module}"
        sub = tree.subtree(directory)
        names = sorted(n for n, e in sub.entries.items() if isinstance(e, Blob)) if sub is not None else []
        outside = [p for p in self.module_paths(module) if not p.startswith(directory + "/")]
        pool = [f"{directory}/{n}" for n in names] + [p for p in outside if tree.get(p) is not None]
        chosen = rng.sample(pool, k=min(len(pool), rng.choice((1, 1, 1, 2, 2, 3))))
        changes = [(p, self._changed(p, tree.get(p))) for p in sorted(chosen)]
        if new_file is not None and len(pool) < MAX_FILES_PER_MODULE and tree.get(new_file) is None:
            changes.append((new_file, Blob.of(new_file, self.fresh(rng.randint(6, 16)).tobytes())))
        return tuple(changes)

    def bump_manifest(self, tree: Tree) -> Changes:
        path = self.repo.manifest
        return ((path, self._changed(path, tree.get(path))),)

    def touch(self, tree: Tree, path: str) -> Changes:
        return ((path, self._changed(path, tree.get(path))),)
