"""A reader process querying the published marts in a loop (a new read-only connection each time)
while a good run and then a failing run go on never errors, never sees marts of two publications in
one connection, sees the good run's publication replace the old one, and the failing run leaves the
published file byte for byte as it was."""

from __future__ import annotations

import csv
import shutil
import time

import pytest

from tests.support.dbt import copy_mappings
from tests.support.pipeline import run_pipeline, utc
from tests.support.published_reader import ReaderLog, publication_id, reading

pytestmark = pytest.mark.pipeline


def _assert_clean(reader: ReaderLog) -> list[dict]:
    observations = reader.observations()
    assert [o["error"] for o in observations if "error" in o] == []
    assert [o for o in observations if not o["consistent"]] == []
    return observations


def test_a_reader_sees_the_old_then_the_new_publication_during_a_good_run(flow_pipeline):
    old_id, new_id = flow_pipeline.first_publication_id, flow_pipeline.second_publication_id
    assert old_id != new_id
    observations = _assert_clean(flow_pipeline.reader_during_second_run)
    assert {o["publication_id"] for o in observations} == {old_id, new_id}
    after = {o["publication_id"] for o in observations if o["at"] > flow_pipeline.second_run_finished_at}
    assert after == {new_id}


def test_the_publication_record_names_the_run_its_as_of_and_every_mart(flow_pipeline):
    settings = flow_pipeline.run.settings
    with flow_pipeline.run.published() as con:
        header = con.execute(
            "SELECT DISTINCT publication_id, as_of, dagster_run_id FROM marts.publication"
        ).fetchall()
        counts = dict(con.execute("SELECT mart, row_count FROM marts.publication").fetchall())
        marts = [
            row[0]
            for row in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE table_name <> 'publication'"
            ).fetchall()
        ]
        actual = {mart: con.execute(f"SELECT count(*) FROM marts.{mart}").fetchone()[0] for mart in marts}
    [(publication, as_of, run_id)] = header
    assert publication == flow_pipeline.second_publication_id
    assert utc(as_of) == settings.warehouse.as_of
    assert run_id
    assert counts == actual and len(counts) >= 28


def _mappings_failing_a_test(directory):
    """Mappings whose stages seed puts two stages at one position: its unique test fails."""
    mappings = copy_mappings(directory)
    stages = mappings / "stages.csv"
    with stages.open(newline="") as handle:
        rows = list(csv.reader(handle))
    rows[-1][1] = rows[-2][1]
    with stages.open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return mappings


def test_a_failing_test_publishes_nothing_while_a_reader_keeps_reading(flow_pipeline, tmp_path):
    data_dir = tmp_path / "warehouse"
    shutil.copytree(flow_pipeline.run.settings.warehouse.data_dir, data_dir)
    published = data_dir / "streamgauge.duckdb"
    before = published.read_bytes()
    mappings = _mappings_failing_a_test(tmp_path / "mappings")

    with reading(published, tmp_path / "reader") as reader:
        run = run_pipeline(flow_pipeline.org, data_dir, mappings_dir=mappings)
        reader.wait_past(time.time())
    assert not run.succeeded
    assert published.read_bytes() == before
    observations = _assert_clean(reader)
    assert {o["publication_id"] for o in observations} == {publication_id(published)}
