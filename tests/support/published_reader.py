"""A reader of the published marts in its own process, as a BI tool refreshing would be.

``python -m tests.support.published_reader PUBLISHED OUT STOP`` opens a new read-only connection per
iteration, reads ``marts.publication`` and counts a few marts, and appends one JSON line per
iteration to OUT (when, the publication it saw and whether every mart it read belongs to it, or the
error) until the file STOP exists. :func:`reading` runs it around a block of a test.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

REPO_ROOT = Path(__file__).resolve().parents[2]
MARTS = ("flow_items", "stage_durations", "lead_time_by_stage", "deployments", "dora_metrics")
PAUSE_SECONDS = 0.1


def publication_id(published: Path) -> str:
    """The publication the file holds now."""
    with duckdb.connect(str(published), read_only=True) as con:
        return con.execute("SELECT DISTINCT publication_id FROM marts.publication").fetchone()[0]


def observe(published: Path) -> dict:
    """One connection's view: the publication it saw and whether the marts agree with its record."""
    con = duckdb.connect(str(published), read_only=True)
    try:
        record = con.execute("SELECT publication_id, mart, row_count FROM marts.publication").fetchall()
        counts = {mart: con.execute(f"SELECT count(*) FROM marts.{mart}").fetchone()[0] for mart in MARTS}
        con.execute("SELECT stage, total_hours FROM marts.lead_time_by_stage ORDER BY stage_order").fetchall()
        ids_after = {row[0] for row in con.execute("SELECT publication_id FROM marts.publication").fetchall()}
    finally:
        con.close()
    ids = {row[0] for row in record}
    expected = {mart: rows for _, mart, rows in record}
    consistent = len(ids) == 1 and ids == ids_after and all(expected.get(m) == n for m, n in counts.items())
    return {"publication_id": min(ids, default=None), "consistent": consistent}


def main(published: Path, out: Path, stop: Path) -> None:
    with out.open("a") as handle:
        while not stop.exists():
            started = time.time()
            try:
                record = observe(published)
            except Exception as exc:  # noqa: BLE001 - every failure is what the tests look for
                record = {"error": f"{type(exc).__name__}: {exc}"}
            handle.write(json.dumps({"at": started, **record}) + "\n")
            handle.flush()
            time.sleep(PAUSE_SECONDS)


@dataclass
class ReaderLog:
    out: Path

    def observations(self) -> list[dict]:
        if not self.out.exists():
            return []
        return [json.loads(line) for line in self.out.read_text().splitlines() if line.strip()]

    def wait_for(self, predicate: Callable[[dict], bool], timeout: float = 30.0) -> None:
        """Until the reader has recorded an observation that satisfies ``predicate``."""
        deadline = time.monotonic() + timeout
        while not any(predicate(o) for o in self.observations()):
            if time.monotonic() > deadline:
                raise AssertionError("the reader recorded nothing the test waited for")
            time.sleep(PAUSE_SECONDS)

    def wait_past(self, moment: float) -> None:
        """Until the reader has recorded an observation that started after ``moment`` (time.time())."""
        self.wait_for(lambda o: o["at"] > moment)


@contextmanager
def reading(published: Path, work_dir: Path) -> Iterator[ReaderLog]:
    """Run the reader process on ``published`` for the duration of the block."""
    work_dir.mkdir(parents=True, exist_ok=True)
    log, stop = ReaderLog(work_dir / "reader.jsonl"), work_dir / "stop"
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.support.published_reader", str(published), str(log.out), str(stop)],
        cwd=REPO_ROOT,
    )
    try:
        log.wait_for(lambda o: True)
        yield log
    finally:
        stop.touch()
        process.wait(timeout=30)
    if process.returncode != 0:
        raise AssertionError(f"the reader process exited with {process.returncode}")


if __name__ == "__main__":
    main(*(Path(arg) for arg in sys.argv[1:4]))
