"""dbt's unit tests (``unit_tests:`` beside the models) check each tricky model's SQL on fixed inputs.
The pipeline's builds leave them out (orchestration/defs/transform.py); they run here, every one, on
the shared pipeline's working database (dbt reads the column types of their inputs from it)."""

from __future__ import annotations

import json

from orchestration.dbt import ensure_manifest
from tests.support.dbt import run_dbt


def test_every_dbt_unit_test_passes(flow_pipeline, tmp_path):
    manifest = json.loads(ensure_manifest().read_text())
    unit_tests = set(manifest["unit_tests"])
    assert len(unit_tests) >= 20, sorted(unit_tests)
    result = run_dbt(
        flow_pipeline.run.settings.warehouse.working_path,
        ["test", "--select", "test_type:unit"],
        work_dir=tmp_path,
    )
    assert result.ok, "\n".join(result.failures()) + "\n" + result.output[-4000:]
    statuses = result.statuses()
    assert {node: statuses.get(node) for node in unit_tests} == dict.fromkeys(unit_tests, "pass")
