"""Flow analytics marts on hand-made Jira payloads: window semantics (type at completion for
velocity, type of the day for load), held stages, aging thresholds, constraints, the cumulative
flow diagram and Little's law on a stable stretch.

as_of = 2026-09-01 00:00 UTC (02:00 in Berlin), local dates in Europe/Berlin (UTC+2 in August: a
local day ends at 22:00 UTC), flow analytics window = the 10 local days 22–31 August.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from tests.support.dbt import run_dbt
from tests.support.flow_analytics import quantile_cont

from .jira_payloads import (
    BACKLOG,
    DONE,
    IN_PROGRESS,
    IN_REVIEW,
    ON_HOLD,
    READY_FOR_DEV,
    READY_FOR_REVIEW,
    JiraFixture,
    issuetype,
    land_all,
    query,
    status,
    z,
)

pytestmark = pytest.mark.pipeline

VARS = {
    "as_of": "2026-09-01T00:00:00Z",
    "reporting_timezone": "Europe/Berlin",
    "flow_analytics_window_days": 10,
    "min_sample_n": 3,
    "forecast_trials": 10000,
}
AS_OF = datetime(2026, 9, 1)


def _fixture() -> JiraFixture:
    j = JiraFixture("demo-jira")

    # TYP-1: a Story when it starts, a Bug from 13 August 10:00 UTC, done on 14 August
    j.issue("3001", "TYP-1", z("2026-08-10 08:00"), DONE, type_name="Bug")
    j.history("3001", z("2026-08-11 08:00"), status(BACKLOG, IN_PROGRESS))
    j.history("3001", z("2026-08-13 10:00"), issuetype("Story", "Bug"))
    j.history("3001", z("2026-08-14 10:00"), status(IN_PROGRESS, DONE))
    # TYP-2: in Dev from 11 August, On Hold (no stage) from 12 August: still held in Dev
    j.issue("3002", "TYP-2", z("2026-08-10 08:00"), ON_HOLD)
    j.history("3002", z("2026-08-11 08:00"), status(BACKLOG, IN_PROGRESS))
    j.history("3002", z("2026-08-12 08:00"), status(IN_PROGRESS, ON_HOLD))

    # LIT: one item a day starts at 06:00 Berlin (04:00 UTC) and is done 48 hours later, from
    # 18 August on; the items of 30 and 31 August are still in progress at as_of
    for k in range(14):
        start = datetime(2026, 8, 18, 4) + timedelta(days=k)
        issue_id, key = str(4000 + k), f"LIT-{k + 1}"
        end = start + timedelta(hours=48)
        if end <= AS_OF:
            j.issue(issue_id, key, z(f"{start - timedelta(hours=1):%Y-%m-%d %H:%M}"), DONE)
            j.history(issue_id, z(f"{start:%Y-%m-%d %H:%M}"), status(BACKLOG, IN_PROGRESS))
            j.history(issue_id, z(f"{end:%Y-%m-%d %H:%M}"), status(IN_PROGRESS, DONE))
        else:
            j.issue(issue_id, key, z(f"{start - timedelta(hours=1):%Y-%m-%d %H:%M}"), IN_PROGRESS)
            j.history(issue_id, z(f"{start:%Y-%m-%d %H:%M}"), status(BACKLOG, IN_PROGRESS))

    # AGE: three items done in the window (flow times 10, 20, 30 h), four open of different ages
    for n, hours in enumerate((10, 20, 30), start=1):
        end = datetime(2026, 8, 25, 12)
        start = end - timedelta(hours=hours)
        j.issue(str(5000 + n), f"AGE-{n}", z(f"{start - timedelta(hours=1):%Y-%m-%d %H:%M}"), DONE)
        j.history(str(5000 + n), z(f"{start:%Y-%m-%d %H:%M}"), status(BACKLOG, IN_PROGRESS))
        j.history(str(5000 + n), z(f"{end:%Y-%m-%d %H:%M}"), status(IN_PROGRESS, DONE))
    for n, hours, to_status in (
        (4, 25, IN_PROGRESS),
        (5, 28, IN_PROGRESS),
        (6, 100, READY_FOR_DEV),
        (7, 5, IN_PROGRESS),
    ):
        start = AS_OF - timedelta(hours=hours)
        j.issue(str(5000 + n), f"AGE-{n}", z(f"{start - timedelta(hours=1):%Y-%m-%d %H:%M}"), to_status)
        j.history(str(5000 + n), z(f"{start:%Y-%m-%d %H:%M}"), status(BACKLOG, to_status))

    # CON: CON-1 in Dev, then 120 h waiting for review, then in review; CON-2 in the backlog until
    # 28 August, waits a day for Dev, then in progress
    j.issue("6001", "CON-1", z("2026-08-20 00:00"), IN_REVIEW)
    j.history("6001", z("2026-08-21 10:00"), status(BACKLOG, IN_PROGRESS))
    j.history("6001", z("2026-08-26 10:00"), status(IN_PROGRESS, READY_FOR_REVIEW))
    j.history("6001", z("2026-08-31 10:00"), status(READY_FOR_REVIEW, IN_REVIEW))
    j.issue("6002", "CON-2", z("2026-08-20 00:00"), IN_PROGRESS)
    j.history("6002", z("2026-08-28 10:00"), status(BACKLOG, READY_FOR_DEV))
    j.history("6002", z("2026-08-29 10:00"), status(READY_FOR_DEV, IN_PROGRESS))
    return j


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    work = tmp_path_factory.mktemp("flow_analytics")
    path = work / "warehouse.duckdb"
    land_all(path, _fixture())
    # the flow analytics models, their ancestors (dora_metrics among them, on empty delivery tables)
    # and their own tests only (the upstream models' tests run in test_flow_marts and in every
    # pipeline build)
    result = run_dbt(
        path,
        [
            "build",
            "--select",
            "+path:models/marts/flow_analytics",
            "path:models/intermediate/flow_analytics",
            "path:tests/flow_analytics",
            "--exclude",
            "test_type:unit",
            "--indirect-selection",
            "empty",
        ],
        vars=VARS,
        work_dir=work,
    )
    assert result.ok, "\n".join(result.failures()) + "\n" + result.output[-8000:]
    assert "WARN=0" in result.stdout, result.stdout[-4000:]
    return path


def rows(warehouse, sql: str, params: list | None = None) -> list[dict]:
    return query(warehouse, sql, params)


def approx(value):
    return pytest.approx(value, abs=1e-9)


# ---- window semantics: type at completion for velocity, type of the day for load ---------------


def test_velocity_counts_an_item_by_its_type_at_completion(warehouse):
    week = {
        r["flow_item_type"]: r
        for r in rows(
            warehouse,
            "select * from marts.flow_metrics where value_stream = 'TYP' and period_grain = 'week' "
            "and period_start = date '2026-08-10'",
        )
    }
    assert week["Defect"]["flow_velocity_items"] == 1  # a Bug when done
    assert week["Feature"]["flow_velocity_items"] == 0  # although a Story when it started
    assert week["all"]["flow_velocity_items"] == 1
    assert week["Defect"]["flow_distribution_pct"] == approx(100.0)
    assert week["Feature"]["flow_distribution_pct"] == approx(0.0)
    # arrivals are typed at the flow start: both TYP items started as Stories (Feature)
    assert (week["Feature"]["arrival_items"], week["Defect"]["arrival_items"]) == (2, 0)
    assert week["all"]["flow_time_n"] == 1 and week["all"]["is_small_sample"]
    assert week["all"]["flow_time_p50_hours"] is None  # n below min_sample_n
    assert week["all"]["flow_time_mean_hours"] == approx(74.0)  # 11 Aug 08:00 → 14 Aug 10:00


def test_load_counts_an_item_by_its_type_of_the_day(warehouse):
    load = {
        (r["day"], r["flow_item_type"], r["stage"]): r["wip_items"]
        for r in rows(
            warehouse,
            "select * from marts.flow_load_daily where value_stream = 'TYP' and wip_items > 0",
        )
    }
    # TYP-1: a Feature in Dev on 11 and 12 August, a Defect on 13 August, done on 14 August;
    # TYP-2: a Feature in Dev from 11 August, held in Dev while On Hold (no stage) from 12 August
    assert load[(date(2026, 8, 11), "Feature", "Dev")] == 2
    assert load[(date(2026, 8, 12), "Feature", "Dev")] == 2
    assert load[(date(2026, 8, 13), "Feature", "Dev")] == 1
    assert load[(date(2026, 8, 13), "Defect", "Dev")] == 1
    assert load[(date(2026, 8, 14), "Feature", "Dev")] == 1
    assert (date(2026, 8, 14), "Defect", "Dev") not in load
    assert (date(2026, 8, 10), "Feature", "Dev") not in load  # flow started on the 11th
    assert load[(date(2026, 9, 1), "Feature", "Dev")] == 1  # the partial as_of day: TYP-2


def test_load_is_a_gap_free_spine(warehouse):
    (count, days, streams) = rows(
        warehouse,
        "select count(*) as n, count(distinct day) as days, count(distinct value_stream) as streams "
        "from marts.flow_load_daily",
    )[0].values()
    assert streams == 5  # TYP, LIT, AGE, CON and all
    assert count == days * streams * 4 * 5  # 4 flow item types × 5 stages


# ---- Little's law on a stable stretch -----------------------------------------------------------


def test_littles_law_holds_on_a_stable_stretch(warehouse):
    check = rows(warehouse, "select * from marts.littles_law_check where value_stream = 'LIT'")[0]
    assert (check["window_start_date"], check["window_end_date"], check["window_days"]) == (
        date(2026, 8, 22),
        date(2026, 9, 1),
        10,
    )
    # every day ends with two items in progress (started yesterday and today)
    assert check["avg_wip_items"] == approx(2.0)
    assert (check["wip_start_items"], check["wip_end_items"]) == (2, 2)
    # ten items done in the window (started 20–29 August), each after 48 hours
    assert check["completed_items"] == 10 and check["arrival_items"] == 10
    assert check["throughput_items_per_day"] == approx(1.0)
    assert check["avg_flow_time_days"] == approx(2.0)
    assert check["expected_wip_items"] == approx(2.0)
    assert check["relative_deviation"] == approx(0.0)
    assert check["is_wip_stable"] and check["is_within_tolerance"] and not check["is_flagged"]


def test_littles_law_flags_a_growing_queue(warehouse):
    # CON: CON-1 is in flow when the window opens (since 21 August), CON-2 joins, none leaves —
    # WIP grows from 1 to 2 and nothing completes
    check = rows(warehouse, "select * from marts.littles_law_check where value_stream = 'CON'")[0]
    assert (check["wip_start_items"], check["wip_end_items"], check["completed_items"]) == (1, 2, 0)
    assert not check["is_wip_stable"] and check["is_flagged"]


# ---- aging --------------------------------------------------------------------------------------


def test_aging_wip_compares_ages_with_the_streams_completed_items(warehouse):
    aging = {
        r["issue_key"]: r for r in rows(warehouse, "select * from marts.aging_wip where value_stream = 'AGE'")
    }
    assert set(aging) == {"AGE-4", "AGE-5", "AGE-6", "AGE-7"}
    expected = [quantile_cont([10, 20, 30], p) for p in (0.5, 0.85, 0.95)]  # 20, 27, 29 h
    for row in aging.values():
        assert row["flow_time_n"] == 3 and not row["is_small_sample"]
        assert [row["flow_time_p50_hours"], row["flow_time_p85_hours"], row["flow_time_p95_hours"]] == [
            approx(x) for x in expected
        ]
    assert {key: (round(r["age_hours"], 6), r["age_percentile_passed"]) for key, r in aging.items()} == {
        "AGE-4": (25.0, "p50"),
        "AGE-5": (28.0, "p85"),
        "AGE-6": (100.0, "p95"),
        "AGE-7": (5.0, "none"),
    }
    # AGE-6 only waits for Dev: no cycle start, no cycle age
    assert aging["AGE-6"]["cycle_age_hours"] is None and aging["AGE-6"]["cycle_age_percentile_passed"] is None
    assert aging["AGE-6"]["stage"] == "Dev" and aging["AGE-6"]["current_flow_state"] == "waiting"
    assert aging["AGE-5"]["cycle_age_percentile_passed"] == "p85"


def test_aging_wip_holds_a_stageless_item_in_its_stage(warehouse):
    held = rows(warehouse, "select * from marts.aging_wip where issue_key = 'TYP-2'")[0]
    assert (held["current_status_name"], held["stage"]) == ("On Hold", "Dev")
    # TYP has no completed item in the window: no thresholds
    assert held["is_small_sample"] and held["age_percentile_passed"] is None


# ---- constraints --------------------------------------------------------------------------------


def test_constraints_name_the_queue_and_the_starving_stage(warehouse):
    stages = {
        r["stage"]: r for r in rows(warehouse, "select * from marts.constraints where value_stream = 'CON'")
    }
    assert {s: r["wait_hours"] for s, r in stages.items()} == {
        "Discovery": approx(0.0),
        "Dev": approx(24.0),  # CON-2 waits for Dev for a day
        "Review": approx(120.0),  # CON-1 waits for review for five days
        "Deploy": approx(0.0),
        "Feedback": approx(0.0),
    }
    assert stages["Review"]["wait_pct"] == approx(100.0 * 120 / 144)
    assert [s for s, r in stages.items() if r["is_most_waiting_stage"]] == ["Review"]
    # end-of-day stages 22–31 Aug: Dev holds an item on 22–25 and 28–31, Review on 26–31
    assert {s: r["empty_days"] for s, r in stages.items()} == {
        "Discovery": 10,
        "Dev": 2,
        "Review": 4,
        "Deploy": 10,
        "Feedback": 10,
    }
    assert {s: r["downstream_starved_days"] for s, r in stages.items()} == {
        "Discovery": 0,
        "Dev": 4,  # Review empty while Dev held CON-1 (22–25)
        "Review": 6,  # Deploy empty while Review held CON-1 (26–31)
        "Deploy": 0,
        "Feedback": None,
    }
    assert [s for s, r in stages.items() if r["is_starving_stage"]] == ["Review"]
    assert stages["Dev"]["outflow_items"] == 1  # CON-1 moved on to Review on 26 August
    assert stages["Review"]["avg_wip_items"] == approx(0.6)


# ---- cumulative flow ----------------------------------------------------------------------------


def test_cumulative_flow_counts_backlog_stages_and_done(warehouse):
    bands = {
        r["band"]: (r["item_count"], r["items_reached_count"])
        for r in rows(
            warehouse,
            "select * from marts.cumulative_flow_daily "
            "where value_stream = 'CON' and day = date '2026-08-27'",
        )
    }
    # CON-2 in the backlog (Discovery), CON-1 waiting in Review
    assert bands == {
        "Discovery": (1, 2),
        "Dev": (0, 1),
        "Review": (1, 1),
        "Deploy": (0, 0),
        "Feedback": (0, 0),
        "Done": (0, 0),
    }
    done = [
        r["item_count"]
        for r in rows(
            warehouse,
            "select * from marts.cumulative_flow_daily "
            "where value_stream = 'LIT' and band = 'Done' order by day",
        )
    ]
    assert done[-1] == 12 and done == sorted(done)


# ---- process behaviour and forecasts on the fixture ---------------------------------------------


def test_process_behaviour_charts_every_series(warehouse):
    series = {
        (r["series"], r["value_stream"]): r["n"]
        for r in rows(
            warehouse,
            "select series, value_stream, count(*) as n from marts.process_behaviour group by 1, 2",
        )
    }
    assert series[("lead_time_hours", "LIT")] == 12
    assert series[("cycle_time_hours", "all")] == 12 + 3 + 1
    assert ("weekly_throughput_items", "LIT") in series


def test_forecast_of_the_lit_stream(warehouse):
    lit = rows(warehouse, "select * from marts.forecasts where value_stream = 'LIT'")[0]
    # the sample starts with the first flow start of any item (TYP, 11 August); LIT completes one
    # item a day from 20 August on, and its two open items are done within days
    assert (lit["sample_start_date"], lit["sample_end_date"], lit["sample_days"]) == (
        date(2026, 8, 11),
        date(2026, 8, 31),
        21,
    )
    assert lit["sample_completed_items"] == 12 and lit["target_items"] == 2
    assert lit["forecast_start_date"] <= lit["when_done_p50_date"] <= lit["when_done_p95_date"]
    assert lit["how_many_p95_items"] <= lit["how_many_p85_items"] <= lit["how_many_p50_items"] <= 28
