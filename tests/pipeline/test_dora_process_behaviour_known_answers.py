"""The weekly DORA series of marts.process_behaviour equal the simulated organisation's delivery truth.

Each week's figure (deployments, deployment days, change lead time median, change fail rate,
recovery time median, per service and for every service together) is computed here from
``org.delivery_truth()`` with the definitions of DEVELOPERS.md ("DORA definitions we chose":
local ISO weeks, interpolated medians, recovery per incident link in the week of the resolution);
the chart (segments, limits, rules) from those values by the Python XmR of tests/support, and the
annotations from the shipped events_log seed.
"""

from __future__ import annotations

import csv
import statistics
from collections import defaultdict
from datetime import date, timedelta

import pytest

from orchestration.demo import SHIPPED_MAPPINGS
from tests.support.flow_analytics import close, local_date, week_start, xmr_chart, xmr_row_differences

pytestmark = pytest.mark.pipeline

HOUR = 3600.0
DORA_SERIES = (
    "weekly_deployments",
    "weekly_deployment_days",
    "weekly_change_lead_time_median_hours",
    "weekly_change_fail_rate_pct",
    "weekly_recovery_time_median_hours",
)


def expected_dora_series(delivery, zone: str) -> dict[tuple[str, str], list[tuple[date, float]]]:
    """(series, stream) → [(week start, value)] over the stream's complete weeks; 'all' = every service."""
    as_of_date = local_date(delivery.as_of, zone)
    local = lambda moment: local_date(moment, zone)  # noqa: E731
    deployments = defaultdict(list)  # (stream, week) → [finished date]
    failed = defaultdict(int)
    lead_times = defaultdict(list)
    recoveries = defaultdict(list)
    first_day: dict[str, date] = {}

    def seen(service: str, day: date) -> None:
        for stream in (service, "all"):
            first_day[stream] = min(first_day.get(stream, day), day)

    failed_ids = delivery.failed_deployment_ids()
    for d in delivery.production_deployments():
        day = local(d.finished_at)
        seen(d.service, day)
        for stream in (d.service, "all"):
            deployments[(stream, week_start(day))].append(day)
            failed[(stream, week_start(day))] += d.id in failed_ids
    for change in delivery.changes.values():
        day = local(change.deployed_at)
        seen(change.service, day)
        if change.lead_time_seconds is not None and change.lead_time_seconds >= 0:
            for stream in (change.service, "all"):
                lead_times[(stream, week_start(day))].append(change.lead_time_seconds / HOUR)
    for incident in delivery.incidents.values():
        seen(incident.service, local(incident.created_at))
    for link in delivery.failure_links:
        incident = delivery.incidents.get(link.incident_id) if link.incident_id else None
        if incident is None or incident.resolved_at is None or link.recovery_seconds is None:
            continue
        if link.recovery_seconds < 0:
            continue
        service = delivery.deployments[link.deployment_id].service
        for stream in (service, "all"):
            recoveries[(stream, week_start(local(incident.resolved_at)))].append(link.recovery_seconds / HOUR)

    series: dict[tuple[str, str], list[tuple[date, float]]] = defaultdict(list)
    for stream, first in first_day.items():
        week = week_start(first)
        while week + timedelta(days=7) <= as_of_date:
            cell = (stream, week)
            days = deployments.get(cell, [])
            values = {
                "weekly_deployments": float(len(days)),
                "weekly_deployment_days": float(len(set(days))),
                "weekly_change_lead_time_median_hours": (
                    statistics.median(lead_times[cell]) if lead_times.get(cell) else None
                ),
                "weekly_change_fail_rate_pct": 100.0 * failed[cell] / len(days) if days else None,
                "weekly_recovery_time_median_hours": (
                    statistics.median(recoveries[cell]) if recoveries.get(cell) else None
                ),
            }
            for name, value in values.items():
                if value is not None:
                    series[(name, stream)].append((week, value))
            week += timedelta(days=7)
    return series


@pytest.fixture(scope="module")
def delivery(flow_pipeline):
    return flow_pipeline.org.delivery_truth()


@pytest.fixture(scope="module")
def charts(flow_pipeline) -> dict[tuple[str, str], list[dict]]:
    with flow_pipeline.run.published() as con:
        cursor = con.execute("SELECT * FROM marts.process_behaviour WHERE series IN ?", [list(DORA_SERIES)])
        names = [d[0] for d in cursor.description]
        found = defaultdict(list)
        for row in cursor.fetchall():
            record = dict(zip(names, row, strict=True))
            found[(record["series"], record["value_stream"])].append(record)
    return {key: sorted(rows, key=lambda r: r["point_index"]) for key, rows in found.items()}


def test_weekly_dora_charts_equal_the_delivery_truth(flow_pipeline, delivery, charts):
    expected = expected_dora_series(delivery, flow_pipeline.org.config.user_timezone)
    assert set(charts) == set(expected)
    assert {stream for _, stream in expected} == {"payments-api", "mobile-backend", "all"}
    signals = defaultdict(int)
    for key, points in expected.items():
        actual = charts[key]
        assert [r["point_index"] for r in actual] == list(range(1, len(points) + 1)), key
        assert [r["period_start"] for r in actual] == [week for week, _ in points], key
        assert all(r["period_end"] == r["period_start"] + timedelta(days=7) for r in actual), key
        values = [value for _, value in points]
        assert all(close(r["value"], v) for r, v in zip(actual, values, strict=True)), key
        assert {r["value_unit"] for r in actual} == {
            "weekly_deployments": {"deployments"},
            "weekly_deployment_days": {"days"},
            "weekly_change_fail_rate_pct": {"percent"},
        }.get(key[0], {"hours"}), key
        for row, point in zip(actual, xmr_chart(values), strict=True):
            differences = xmr_row_differences(row, point)
            assert not differences, (key, row["period_start"], differences)
            for rule in ("rule_1", "rule_2", "rule_3"):
                signals[rule] += getattr(point, rule)
    # the simulated services give the charts something to say
    assert signals["rule_1"] and signals["rule_2"], dict(signals)
    # a week without deployments has a deployment count of 0 but no change fail rate
    deployments = {w for w, _ in expected[("weekly_deployments", "payments-api")]}
    rates = {w for w, _ in expected[("weekly_change_fail_rate_pct", "payments-api")]}
    assert rates <= deployments


def test_weekly_dora_points_carry_the_events_of_their_week(charts):
    """'all' lists every event of its week; a service lists the events for '*' or for itself."""
    with (SHIPPED_MAPPINGS / "events_log.csv").open() as handle:
        events = [
            (date.fromisoformat(r["event_date"]), r["value_stream"], r["title"])
            for r in csv.DictReader(handle)
        ]
    annotated = 0
    for (series, stream), rows in charts.items():
        for row in rows:
            found = sorted(
                (day, where, title)
                for day, where, title in events
                if row["period_start"] <= day < row["period_end"]
                and (stream == "all" or where in ("*", stream))
            )
            text = "; ".join(f"{day} {where}: {title}" for day, where, title in found) or None
            assert (row["event_count"], row["events"]) == (len(found), text), (
                series,
                stream,
                row["period_start"],
            )
            annotated += row["event_count"]
    assert annotated > 0
    week = charts[("weekly_deployments", "all")]
    policy = next(r for r in week if r["period_start"] == date(2026, 7, 27))
    assert "2026-08-01 *: In Staging counted in the Deploy stage" in policy["events"]
