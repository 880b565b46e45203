"""The benchmark's two baselines (pandas, hand-written SQL) compute the same hours and visits per
flow item and stage as ``marts.stage_durations``, on the shared pipeline's warehouse."""

from __future__ import annotations

import json

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
