"""Do the dbt marts and the two baselines agree on the hours and visits per flow item and stage?"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

# Hours are summed in a different order (and from microseconds in the hand-written query).
TOLERANCE_HOURS = 1e-6

MARTS_QUERY = """
    SELECT flow_item_id, stage, duration_hours, visit_count
    FROM marts.stage_durations WHERE visit_count > 0"""


class Disagreement(AssertionError):
    """The implementations gave different numbers: the benchmark's ratios would be meaningless."""


@dataclass(frozen=True)
class Agreement:
    rows: int
    items: int


def _differences(con: duckdb.DuckDBPyConnection, left: str, right: str) -> list[tuple]:
    return con.execute(f"""
        SELECT coalesce(a.flow_item_id, b.flow_item_id), coalesce(a.stage, b.stage),
               a.duration_hours, b.duration_hours, a.visit_count, b.visit_count
        FROM {left} AS a FULL OUTER JOIN {right} AS b USING (flow_item_id, stage)
        WHERE a.flow_item_id IS NULL OR b.flow_item_id IS NULL
           OR a.visit_count <> b.visit_count
           OR abs(a.duration_hours - b.duration_hours)
              > {TOLERANCE_HOURS} * greatest(1, abs(a.duration_hours))
        ORDER BY 1, 2""").fetchall()


def check_agreement(warehouse: Path, baselines: dict[str, Path]) -> Agreement:
    """Compare ``marts.stage_durations`` (visited stages) with each baseline's parquet output; raise
    :class:`Disagreement` naming the first differing rows."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        con.execute(f"CREATE TEMP TABLE dbt_marts AS {MARTS_QUERY}")
        problems = []
        for name, parquet in baselines.items():
            quoted = str(parquet).replace("'", "''")
            con.execute(f"CREATE TEMP VIEW {name} AS SELECT * FROM read_parquet('{quoted}')")
            differences = _differences(con, "dbt_marts", name)
            if differences:
                shown = "\n".join(f"    {row}" for row in differences[:5])
                problems.append(
                    f"{name}: {len(differences)} rows differ from marts.stage_durations "
                    f"(item, stage, dbt hours, {name} hours, dbt visits, {name} visits):\n{shown}"
                )
        if problems:
            raise Disagreement("\n".join(problems))
        rows, items = con.execute("SELECT count(*), count(DISTINCT flow_item_id) FROM dbt_marts").fetchone()
    return Agreement(rows, items)
