"""The incremental staging models, after the shared pipeline's second (incremental) run, hold exactly
what a full rebuild from all raw data holds (DEVELOPERS.md, "Incremental staging")."""

from __future__ import annotations

import json
import shutil

import duckdb

from orchestration.dbt import ensure_manifest
from orchestration.resources import StreamgaugeResource
from tests.support.dbt import run_dbt


def _incremental_models(manifest: dict) -> dict[str, list[str]]:
    """Incremental model → the raw tables it reads."""
    sources = manifest["sources"]
    return {
        node["name"]: sorted(
            sources[parent]["name"] for parent in node["depends_on"]["nodes"] if parent.startswith("source.")
        )
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"]["materialized"] == "incremental"
    }


def test_incremental_staging_equals_a_full_rebuild(flow_pipeline, tmp_path):
    models = _incremental_models(json.loads(ensure_manifest().read_text()))
    assert len(models) >= 10, models
    working = flow_pipeline.run.settings.warehouse.working_path
    with duckdb.connect(str(working), read_only=True) as con:
        for model, raw_tables in models.items():
            # the second run landed new versions for the model, so it took the incremental path
            batches = max(
                con.execute(f"SELECT count(DISTINCT batch_id) FROM raw.{table}").fetchone()[0]
                for table in raw_tables
            )
            assert batches >= 2, (model, raw_tables)
    rebuilt = tmp_path / "rebuilt.duckdb"
    shutil.copy(working, rebuilt)
    resource = StreamgaugeResource(config_path=str(flow_pipeline.run.config_path))
    run_dbt(
        rebuilt,
        ["run", "--full-refresh", "--select", "config.materialized:incremental"],
        vars=resource.dbt_vars(resource.as_of()),
        mappings_dir=flow_pipeline.run.settings.mappings_dir,
        work_dir=tmp_path,
        check=True,
    )
    with duckdb.connect(str(working), read_only=True) as con:
        con.execute(f"ATTACH '{rebuilt}' AS rebuilt (READ_ONLY)")
        for model in models:
            rows = con.execute(f"SELECT count(*) FROM staging.{model}").fetchone()[0]
            assert rows > 0, model
            for only_in, left, right in (("the pipeline", "", "rebuilt."), ("the rebuild", "rebuilt.", "")):
                differing = con.execute(
                    f"SELECT count(*) FROM (SELECT * FROM {left}staging.{model} "
                    f"EXCEPT ALL SELECT * FROM {right}staging.{model})"
                ).fetchone()[0]
                assert differing == 0, f"{model}: {differing} rows only in {only_in}"
