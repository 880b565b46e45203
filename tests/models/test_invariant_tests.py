"""The invariant tests can fail: each runs (``dbt test``, no build) on hand-made relations holding
good rows and the bad rows it exists to catch, and must return exactly the bad ones."""

from __future__ import annotations

import duckdb
import pytest

from tests.support.dbt import run_dbt

pytestmark = pytest.mark.pipeline

FIXTURES = """
CREATE SCHEMA marts;
CREATE SCHEMA intermediate;

-- stage visits: A is contiguous; B's visits overlap; C leaves a gap in which a staged status had
-- time; D's gap is an On Hold status without a stage (allowed); E skips a visit number.
CREATE TABLE marts.stage_intervals AS
SELECT * FROM (VALUES
    ('j:A', 1, TIMESTAMP '2026-01-01', TIMESTAMP '2026-01-02'),
    ('j:A', 2, TIMESTAMP '2026-01-02', NULL),
    ('j:B', 1, TIMESTAMP '2026-01-01', TIMESTAMP '2026-01-03'),
    ('j:B', 2, TIMESTAMP '2026-01-02', NULL),
    ('j:C', 1, TIMESTAMP '2026-01-01', TIMESTAMP '2026-01-02'),
    ('j:C', 2, TIMESTAMP '2026-01-04', NULL),
    ('j:D', 1, TIMESTAMP '2026-01-01', TIMESTAMP '2026-01-02'),
    ('j:D', 2, TIMESTAMP '2026-01-04', NULL),
    ('j:E', 1, TIMESTAMP '2026-01-01', TIMESTAMP '2026-01-02'),
    ('j:E', 3, TIMESTAMP '2026-01-02', NULL)
) AS t(flow_item_id, visit_number, entered_at, exited_at);

CREATE TABLE intermediate.int_status_intervals_clipped AS
SELECT * FROM (VALUES
    ('j', 'C', 'Review', TIMESTAMP '2026-01-02', TIMESTAMP '2026-01-04', 48.0),
    ('j', 'D', NULL, TIMESTAMP '2026-01-02', TIMESTAMP '2026-01-04', 48.0)
) AS t(source, issue_id, stage, entered_at, exited_at, lead_span_hours);

-- clock skew: F's second interval ends before it starts and is flagged and counted; G's is not
-- flagged; H's is flagged but not counted on the item.
CREATE TABLE marts.status_intervals AS
SELECT *, exited_at IS NULL AS is_open FROM (VALUES
    ('j:F', 1, TIMESTAMP '2026-01-01', TIMESTAMP '2026-01-02', false),
    ('j:F', 2, TIMESTAMP '2026-01-02', TIMESTAMP '2026-01-01', true),
    ('j:G', 1, TIMESTAMP '2026-01-02', TIMESTAMP '2026-01-01', false),
    ('j:H', 1, TIMESTAMP '2026-01-02', TIMESTAMP '2026-01-01', true)
) AS t(flow_item_id, interval_number, entered_at, exited_at, is_negative_duration);

CREATE TABLE marts.flow_items AS
SELECT * FROM (VALUES ('j:F', 1), ('j:G', 0), ('j:H', 0)) AS t(flow_item_id, negative_interval_count);

-- rates and keys
CREATE TABLE marts.feature_outcomes AS
SELECT * FROM (VALUES (0.5, 40.0), (1.5, 40.0), (1.0, 140.0)) AS t(credit_share, adoption_pct);

CREATE TABLE marts.nps AS
SELECT * FROM (VALUES ('overall', NULL), ('feature', 'search'), (NULL, 'x')) AS t(scope, feature_key);
"""

SELECTION = [
    "assert_stage_visits_are_contiguous",
    "status_intervals,test_name:expression_is_true",
    "flow_items,test_name:equals_sum_of",
    "feature_outcomes,test_name:accepted_range",
    "nps,test_name:unique_combination_of_columns",
]


def test_the_invariant_tests_return_exactly_the_bad_rows(tmp_path):
    warehouse = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(warehouse)) as con:
        con.execute(FIXTURES)
    result = run_dbt(
        warehouse, ["test", "--select", *SELECTION], vars={"as_of": "2026-02-01T00:00:00Z"}, work_dir=tmp_path
    )
    failures = {r["unique_id"].split(".")[2]: r["failures"] for r in result.run_results.get("results", [])}
    assert failures, result.output[-4000:]

    def only(fragment: str) -> int:
        [count] = [n for name, n in failures.items() if fragment in name]
        return count

    assert only("assert_stage_visits_are_contiguous") == 3  # B (overlap), C (staged gap), E (hole)
    assert only("expression_is_true_status_intervals_is_negative_duration") == 1  # G
    assert only("is_open") == 0
    assert only("equals_sum_of_flow_items_negative_interval_count") == 1  # H
    assert only("credit_share") == 1
    assert only("adoption_pct") == 1
    assert only("unique_combination_of_columns_nps") == 1  # a NULL scope; NULL feature_key is allowed
