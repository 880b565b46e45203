"""Every dbt invocation of a run gets its own target folder; only the newest few are kept."""

from __future__ import annotations

import os

from orchestration.dbt import prune_invocation_folders


def _folder(parent, name: str, mtime: int, *, finished: bool = True):
    path = parent / name
    (path / "compiled").mkdir(parents=True)
    if finished:
        (path / "run_results.json").write_text("{}")
    os.utime(path, (mtime, mtime))
    return path


def test_keeps_the_newest_folders_of_the_op_and_the_current_one(tmp_path):
    old = [_folder(tmp_path, f"dbt_models-run{n}-abc{n}", 1_000 + n) for n in range(5)]
    current = _folder(tmp_path, "dbt_models-run9-fff", 500)  # even when its clock is behind
    other_op = _folder(tmp_path, "other_op-run1-aaa", 1)
    still_running = _folder(tmp_path, "dbt_models-run0-ccc", 1, finished=False)
    (tmp_path / "manifest.json").write_text("{}")

    removed = prune_invocation_folders(current, keep=3)

    assert sorted(removed) == sorted(old[:3])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [old[3].name, old[4].name, current.name, other_op.name, still_running.name, "manifest.json"]
    )


def test_nothing_goes_while_there_are_fewer_than_kept(tmp_path):
    current = _folder(tmp_path, "dbt_models-run2-bbb", 2)
    earlier = _folder(tmp_path, "dbt_models-run1-aaa", 1)

    assert prune_invocation_folders(current, keep=10) == []
    assert earlier.exists() and current.exists()
