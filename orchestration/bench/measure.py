"""Wall time and peak memory of one benchmark phase, run as a child process."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Measurement:
    wall_s: float
    peak_mb: float


class PhaseFailed(RuntimeError):
    """A phase's process exited with an error; the benchmark stops rather than report bad figures."""


def run_measured(
    argv: Sequence[str], *, env: Mapping[str, str] | None = None, cwd: str | None = None
) -> Measurement:
    """Run ``argv`` to completion; its wall time and the peak resident memory of the process tree
    (``ru_maxrss`` of the child as reported by ``wait4``, which covers the children it waited for)."""
    started = time.monotonic()
    process = subprocess.Popen(argv, env=dict(env) if env is not None else None, cwd=cwd)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - started
    if process.returncode != 0:
        raise PhaseFailed(f"{' '.join(argv[:6])} … exited with {process.returncode}")
    return Measurement(round(wall, 2), round(usage.ru_maxrss / 1024, 1))
