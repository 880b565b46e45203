"""Rows of the marts the report reads (aging_wip, forecasts), as the report's tests build them."""

from __future__ import annotations

from datetime import date


def aging_item(
    n: int, stream: str, stage: str, order: int, age_days: float, passed: str, **overrides
) -> dict:
    """An open item of marts.aging_wip, its stream's flow-time percentiles at 2 / 5 / 10 days."""
    return {
        "flow_item_id": f"j:{stream}-{n}",
        "issue_key": f"{stream}-{n}",
        "value_stream": stream,
        "flow_item_type": "Feature",
        "stage": stage,
        "stage_order": order,
        "age_hours": age_days * 24.0,
        "flow_time_n": 12,
        "flow_time_p50_hours": 48.0,
        "flow_time_p85_hours": 120.0,
        "flow_time_p95_hours": 240.0,
        "age_percentile_passed": passed,
        **overrides,
    }


def forecast_row(stream: str, target_items: int, **overrides) -> dict:
    """A stream's row of marts.forecasts: open items done 20 / 24 / 27 Nov 2026, 40 / 35 / 31 items
    by 28 Nov."""
    return {
        "value_stream": stream,
        "forecast_start_date": date(2026, 11, 1),
        "sample_start_date": date(2026, 8, 3),
        "sample_end_date": date(2026, 10, 31),
        "sample_days": 90,
        "sample_completed_items": 120,
        "trials": 10000,
        "is_small_sample": False,
        "target_items": target_items,
        "target_items_source": "open_items",
        "unfinished_trials": 0,
        "when_done_p50_date": date(2026, 11, 20),
        "when_done_p85_date": date(2026, 11, 24),
        "when_done_p95_date": date(2026, 11, 27),
        "target_date": date(2026, 11, 28),
        "how_many_p50_items": 40,
        "how_many_p85_items": 35,
        "how_many_p95_items": 31,
        **overrides,
    }
