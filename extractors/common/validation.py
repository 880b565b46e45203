"""Validating a projected batch (a pandas DataFrame) against a suite with Great Expectations.

Great Expectations is imported on first use (it takes seconds); one ephemeral context serves the
process. Each expectation's result names the failing rows by the frame's ``_row`` column.
"""

from __future__ import annotations

import threading
import warnings
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from extractors.common.expectations import Expectation, Suite

_lock = threading.Lock()
_state: dict[str, Any] = {}


@dataclass(frozen=True)
class Failure:
    row: int
    record_id: str
    value: Any


@dataclass
class Outcome:
    """One expectation over one frame: how many rows it saw and which failed it (or why it could not run)."""

    expectation: Expectation
    evaluated: int
    failures: list[Failure] = field(default_factory=list)
    error: str | None = None

    @property
    def success(self) -> bool:
        return not self.failures and self.error is None


def message(source: str, table: str, record_id: str, field_name: str, expectation: str, detail: str) -> str:
    """The one line a data engineer acts on."""
    return f"{source} · {table} · {record_id} · {field_name} · {expectation}: {detail}"


def describe(outcome: Outcome, failure: Failure) -> str:
    """What is wrong with one value, for :func:`message`."""
    value = failure.value
    if value is None or value != value:  # None or NaN
        shown = "missing"
    elif isinstance(value, float):
        shown = f"{value:.6g}"
    else:
        shown = repr(str(value))
    expectation = outcome.expectation
    return f"{shown} — {expectation.detail}" if expectation.detail else shown


def _batch_definition():
    with _lock:
        if "definition" not in _state:
            import great_expectations as gx
            from great_expectations.data_context.types.base import ProgressBarsConfig

            context = gx.get_context(mode="ephemeral")
            context.variables.progress_bars = ProgressBarsConfig(globally=False)
            asset = context.data_sources.add_pandas("streamgauge").add_dataframe_asset("raw_batch")
            _state["definition"] = asset.add_batch_definition_whole_dataframe("projected")
        return _state["definition"]


def _gx_suite(suite: Suite):
    key = f"suite:{suite.table}:{id(suite)}"
    with _lock:
        if key not in _state:
            from great_expectations.core.expectation_suite import ExpectationSuite

            expectations = [  # numbered: results do not come back in the suite's order
                {**item, "meta": {**item.get("meta", {}), "index": number}}
                for number, item in enumerate(suite.document.get("expectations", []))
            ]
            _state[key] = ExpectationSuite(
                name=suite.table, expectations=expectations, meta=suite.document.get("meta", {})
            )
        return _state[key]


def _raised(info: dict[str, Any]) -> str | None:
    """The message of an exception the expectation raised; GX reports it either at the top level or
    per metric it could not compute."""
    for found in (info, *(v for v in info.values() if isinstance(v, dict))):
        if found.get("raised_exception"):
            return str(found.get("exception_message") or "the expectation raised").splitlines()[0]
    return None


def validate_frame(frame: pd.DataFrame, suite: Suite, parameters: dict[str, Any]) -> list[Outcome]:
    """Run every expectation of ``suite`` on ``frame`` (which has ``_row`` and ``record_id``)."""
    batch = _batch_definition().get_batch(batch_parameters={"dataframe": frame})
    with warnings.catch_warnings():  # pandas warns of the groups in the mappings' environment patterns
        warnings.filterwarnings("ignore", message="This pattern is interpreted as a regular expression")
        result = batch.validate(
            _gx_suite(suite),
            expectation_parameters=parameters,
            result_format={"result_format": "COMPLETE", "unexpected_index_column_names": ["_row"]},
        )
    record_ids = dict(zip(frame["_row"].tolist(), frame["record_id"].tolist(), strict=True))
    outcomes = []
    for item in sorted(result.results, key=lambda r: r.expectation_config.meta["index"]):
        expectation = suite.expectations[item.expectation_config.meta["index"]]
        outcome = Outcome(expectation, evaluated=len(frame))
        raised = _raised(item.exception_info or {})
        if raised:
            outcome.error = raised
        elif not item.success:
            column = expectation.column
            for index in item.result.get("unexpected_index_list") or []:
                row = int(index["_row"])
                outcome.failures.append(Failure(row, str(record_ids[row]), index.get(column)))
        outcomes.append(outcome)
    return outcomes
