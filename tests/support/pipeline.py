"""Running the real pipeline (Dagster job → extract → dbt → publish) against a simulated organisation."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from extractors.simulation import SimulatedOrganisation
from extractors.simulation.corruption import CorruptionPlan
from orchestration.cli import run_main_job
from orchestration.config import Settings, load_settings
from orchestration.demo import simulated_sources


@dataclass
class PipelineRun:
    succeeded: bool
    settings: Settings
    config_path: Path

    def published(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.settings.warehouse.published_path), read_only=True)

    def working(self) -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(self.settings.warehouse.working_path), read_only=True)


def run_pipeline(
    org: SimulatedOrganisation,
    data_dir: Path,
    *,
    as_of: datetime | None = None,
    mappings_dir: Path | None = None,
    corruption: CorruptionPlan | None = None,
) -> PipelineRun:
    """Serve ``org`` as every demo source and run the main job into ``data_dir`` (kept between calls)."""
    with simulated_sources(
        org, data_dir, as_of=as_of, mappings_dir=mappings_dir, corruption=corruption
    ) as config_path:
        succeeded = run_main_job(config_path)
    return PipelineRun(succeeded, load_settings(config_path), config_path)


def utc(moment: datetime | None) -> datetime | None:
    """A naive UTC timestamp from the marts → aware, for comparison with the ground truth."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
