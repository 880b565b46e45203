"""One simulated organisation run through the whole pipeline twice (an incremental second run after
the source moved on and an issue was deleted), shared by the known-answer tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from extractors.simulation import JiraTruth, OrgConfig, SimulatedOrganisation
from tests.support.pipeline import PipelineRun, run_pipeline

FIRST_RUN_CLOCK = datetime(2026, 10, 20, tzinfo=UTC)


@dataclass
class FlowPipeline:
    org: SimulatedOrganisation
    truth: JiraTruth
    run: PipelineRun
    first_run_flow_items: int
    deleted_issue_id: str


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
    second = run_pipeline(org, data_dir)
    assert second.succeeded, "the incremental pipeline run failed"
    return FlowPipeline(org, org.jira_truth(), second, first_count, victim.issue_id)
