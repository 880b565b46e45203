"""Wall time and peak memory of one benchmark phase, run as a child process.

The phase runs under a small launcher process (``python -m orchestration.bench.measure``): on
``exec`` Linux keeps the high-water mark of the memory the process had before, so a phase started
straight from the large benchmark process would report that process's size as its own peak.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Measurement:
    wall_s: float
    peak_mb: float


class PhaseFailed(RuntimeError):
    """A phase's process exited with an error; the benchmark stops rather than report bad figures."""


def run_measured(
    argv: Sequence[str], *, env: Mapping[str, str] | None = None, cwd: str | None = None
) -> Measurement:
    """Run ``argv`` to completion; its wall time and the peak resident memory of its largest process
    (``ru_maxrss`` from ``wait4``, which covers the children it waited for)."""
    with tempfile.TemporaryDirectory() as folder:
        peak_file = Path(folder) / "peak_kb"
        started = time.monotonic()
        completed = subprocess.run(
            [sys.executable, "-m", "orchestration.bench.measure", str(peak_file), *argv],
            env=dict(env) if env is not None else None,
            cwd=cwd,
        )
        wall = time.monotonic() - started
        if completed.returncode != 0:
            raise PhaseFailed(f"{' '.join(argv[:6])} … exited with {completed.returncode}")
        peak_kb = int(peak_file.read_text())
    return Measurement(round(wall, 2), round(peak_kb / 1024, 1))


def launch(peak_file: Path, argv: Sequence[str]) -> int:
    """Run ``argv``, write its peak resident memory (KiB) to ``peak_file``, return its exit code."""
    process = subprocess.Popen(argv)
    _, status, usage = os.wait4(process.pid, 0)
    peak_file.write_text(str(usage.ru_maxrss))
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    sys.exit(launch(Path(sys.argv[1]), sys.argv[2:]))
