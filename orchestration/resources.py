"""The Dagster resource that carries streamgauge's settings and opens the working warehouse."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

import dagster as dg
import duckdb

from orchestration.config import Settings, duckdb_config, load_settings
from orchestration.dbt import MAPPINGS_ENV, WAREHOUSE_ENV
from orchestration.dbt_threads import DBT_THREADS_ENV, dbt_threads


class StreamgaugeResource(dg.ConfigurableResource):
    """Settings from ``streamgauge.yml`` (``config_path``, else ``$STREAMGAUGE_CONFIG``)."""

    config_path: str | None = None

    @cached_property
    def settings(self) -> Settings:
        return load_settings(self.config_path)

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The working database; only one writer at a time (assets share the ``warehouse`` pool)."""
        path = self.settings.warehouse.working_path
        path.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(path), config=duckdb_config())
        try:
            yield con
        finally:
            con.close()

    def as_of(self) -> datetime:
        return self.settings.warehouse.as_of or datetime.now(UTC).replace(microsecond=0)

    def dbt_vars(self, as_of: datetime) -> dict[str, Any]:
        settings = self.settings
        return {
            "as_of": as_of.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
            "reporting_timezone": settings.warehouse.timezone,
            "flow_item_level": settings.flow.flow_item_level,
            "lead_time_window_days": settings.flow.lead_time_window_days,
            "history_horizons": settings.history_horizons(),
        }

    @contextmanager
    def dbt_environment(self) -> Iterator[int]:
        """Point dbt's profile at the working database (and the user's mappings) for one invocation;
        yields how many models dbt builds at a time (``orchestration.dbt_threads``)."""
        wanted = dbt_profile_env(self.settings)
        saved = {key: os.environ.get(key) for key in wanted}
        os.environ.update(wanted)
        try:
            yield int(wanted[DBT_THREADS_ENV])
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value


def dbt_profile_env(settings: Settings) -> dict[str, str]:
    """The variables dbt's profile reads for a build on the working database of ``settings``."""
    working_path = settings.warehouse.working_path
    env = {WAREHOUSE_ENV: str(working_path), DBT_THREADS_ENV: str(dbt_threads(working_path))}
    if settings.mappings_dir:
        env[MAPPINGS_ENV] = str(settings.mappings_dir)
    return env
