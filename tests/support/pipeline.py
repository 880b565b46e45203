"""Running the real pipeline (Dagster job → extract → dbt → publish) against a simulated organisation."""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from extractors.simulation import SimulatedApis, SimulatedOrganisation
from orchestration.cli import DEMO_CREDENTIALS, run_main_job, write_demo_config
from orchestration.config import Settings, load_settings


@dataclass
class PipelineRun:
    succeeded: bool
    settings: Settings
    config_path: Path

    def published(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.settings.warehouse.published_path), read_only=True)


@contextmanager
def _credentials():
    saved = {k: os.environ.get(k) for k in DEMO_CREDENTIALS}
    os.environ.update(DEMO_CREDENTIALS)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run_pipeline(
    org: SimulatedOrganisation,
    data_dir: Path,
    *,
    as_of: datetime | None = None,
    mappings_dir: Path | None = None,
) -> PipelineRun:
    """Serve ``org`` on loopback and run the main job into ``data_dir`` (kept between calls)."""
    data_dir.mkdir(parents=True, exist_ok=True)
    apis = SimulatedApis(
        org, credentials={"jira": (DEMO_CREDENTIALS["JIRA_EMAIL"], DEMO_CREDENTIALS["JIRA_API_TOKEN"])}
    )
    with apis.serve() as server, _credentials():
        config_path = write_demo_config(
            data_dir,
            server.base_url("jira"),
            as_of or org.clock,
            org.config.user_timezone,
            mappings_dir=mappings_dir,
        )
        succeeded = run_main_job(config_path)
    return PipelineRun(succeeded, load_settings(config_path), config_path)


def utc(moment: datetime | None) -> datetime | None:
    """A naive UTC timestamp from the marts → aware, for comparison with the ground truth."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
