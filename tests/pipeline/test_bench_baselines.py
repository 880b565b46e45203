"""The benchmark's two baselines (pandas, hand-written SQL) compute the same hours and visits per
flow item and stage as ``marts.stage_durations``, on the shared pipeline's warehouse."""

from __future__ import annotations

import json

import duckdb
import pandas as pd

from orchestration.bench import phases
from orchestration.bench.agreement import check_agreement


def test_the_baselines_agree_with_the_marts(flow_pipeline, tmp_path):
    config = flow_pipeline.run.config_path
    outputs = {}
    for name in ("pandas", "sql"):
        result = tmp_path / f"{name}.json"
        assert phases.main([name, str(config), str(result)]) == 0
        assert json.loads(result.read_text())["rows"] > 0
        outputs[name] = result.with_suffix(".parquet")
    agreement = check_agreement(flow_pipeline.run.settings.warehouse.working_path, outputs)
    assert agreement.items > 100
    pandas_rows = pd.read_parquet(outputs["pandas"])
    assert len(pandas_rows) == agreement.rows


def test_the_pandas_recipe_in_passes_computes_the_same_rows_as_in_one(flow_pipeline):
    from orchestration.bench.pandas_baseline import stage_durations

    settings = flow_pipeline.run.settings
    with duckdb.connect(str(settings.warehouse.working_path), read_only=True) as con:
        (issue_rows,) = con.execute("SELECT count(*) FROM raw.jira_issues").fetchone()
        at_once = stage_durations(con, settings.warehouse.as_of)
        in_passes = stage_durations(con, settings.warehouse.as_of, issue_rows_per_pass=issue_rows // 3)
    key = ["flow_item_id", "stage"]
    assert len(at_once) > 100
    pd.testing.assert_frame_equal(
        in_passes.sort_values(key).reset_index(drop=True), at_once.sort_values(key).reset_index(drop=True)
    )
