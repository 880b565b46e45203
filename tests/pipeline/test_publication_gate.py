"""A status missing from the mapping stops the marts with a message naming it; what was published stays."""

from __future__ import annotations

import csv
import logging
import shutil

from orchestration.dbt import DBT_PROJECT_DIR
from tests.support.pipeline import run_pipeline

BLOCKED = "10103"


def test_an_unmapped_status_stops_publication_and_names_the_status(flow_pipeline, tmp_path, caplog):
    data_dir = tmp_path / "warehouse"
    shutil.copytree(flow_pipeline.run.settings.warehouse.data_dir, data_dir)
    published = data_dir / "streamgauge.duckdb"
    before = published.read_bytes()

    mappings = tmp_path / "mappings"
    shutil.copytree(DBT_PROJECT_DIR / "seeds" / "mappings", mappings)
    status_file = mappings / "status_flow_mapping.csv"
    with status_file.open(newline="") as handle:
        rows = [row for row in csv.reader(handle) if row[1] != BLOCKED]
    with status_file.open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)

    with caplog.at_level(logging.ERROR, logger="streamgauge"):
        run = run_pipeline(flow_pipeline.org, data_dir, mappings_dir=mappings)
    assert not run.succeeded
    message = "\n".join(record.getMessage() for record in caplog.records)
    assert f'status {BLOCKED} "Blocked" from source demo-jira is not in status_flow_mapping' in message
    assert published.read_bytes() == before  # the previous marts stay exactly as they were
    with run.published() as con:
        assert con.execute("SELECT count(*) FROM marts.flow_items").fetchone()[0] > 0
