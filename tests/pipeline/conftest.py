"""One simulated organisation run through the whole pipeline twice (an incremental second run after
the source moved on and an issue was deleted), shared by the known-answer tests. A reader process
queries the published marts throughout the second run (its log is kept for the publication tests)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from extractors.simulation import JiraTruth, OrgConfig, SimulatedOrganisation
from tests.support.pipeline import PipelineRun, run_pipeline
from tests.support.published_reader import ReaderLog, publication_id, reading

FIRST_RUN_CLOCK = datetime(2026, 10, 20, tzinfo=UTC)


@dataclass
class FlowPipeline:
    org: SimulatedOrganisation
    truth: JiraTruth
    run: PipelineRun
    first_run_flow_items: int
    deleted_issue_id: str
    first_publication_id: str
    second_publication_id: str
    second_run_finished_at: float
    reader_during_second_run: ReaderLog


@pytest.fixture(scope="session")
def flow_pipeline(tmp_path_factory) -> FlowPipeline:
    org = SimulatedOrganisation.generate(OrgConfig(flow_items=300))
    data_dir = tmp_path_factory.mktemp("flow_pipeline")
    org.set_clock(FIRST_RUN_CLOCK)
    first = run_pipeline(org, data_dir)
    assert first.succeeded, "the first pipeline run failed"
    with first.published() as con:
        first_count = con.execute("SELECT count(*) FROM marts.flow_items").fetchone()[0]
    org.set_clock(org.config.end)
    victim = next(i for i in org.jira_truth().flow_items() if i.is_completed and not i.edge_cases)
    org.jira.delete_issue(victim.issue_id)
    published = first.settings.warehouse.published_path
    first_id = publication_id(published)
    with reading(published, tmp_path_factory.mktemp("flow_pipeline_reader")) as reader:
        second = run_pipeline(org, data_dir)
        finished_at = time.time()
        reader.wait_past(finished_at)
    assert second.succeeded, "the incremental pipeline run failed"
    return FlowPipeline(
        org,
        org.jira_truth(),
        second,
        first_count,
        victim.issue_id,
        first_id,
        publication_id(published),
        finished_at,
        reader,
    )
