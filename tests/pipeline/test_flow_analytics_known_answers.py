"""The published flow analytics marts equal what the simulated organisation's ground truth says.

Every expected figure is computed here, in Python, from the ground-truth items (and, for the type
an item had on a given day, the generator's own timeline) with the definitions in DEVELOPERS.md
("Flow analytics definitions we chose") — never from the warehouse. The forecast is replayed from
the seed and checked against what really happened after a past as_of (a backtest).
"""

from __future__ import annotations

import shutil
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest

from extractors.simulation.jira import catalog as c
from extractors.simulation.jira.drafts import TYPE_EVENT
from extractors.simulation.jira.ground_truth import TrueItem
from extractors.simulation.jira.mapping import STAGE_ORDER, STAGES, flow_item_type
from extractors.simulation.timeutil import to_ms
from tests.support.dbt import run_dbt
from tests.support.flow_analytics import (
    close,
    local_date,
    local_midnight,
    monte_carlo,
    nearest_rank,
    quantile_cont,
    week_start,
    xmr_chart,
    xmr_row_differences,
)

pytestmark = pytest.mark.pipeline

MIN_N = 5  # var min_sample_n
WINDOW_DAYS = 90  # var flow_analytics_window_days
SAMPLE_DAYS = 90  # var forecast_sample_days
TRIALS, SEED, MAX_DAYS, HORIZON = 10_000, 42, 182, 28  # forecast vars
FLOW_ITEM_TYPES = ("Feature", "Defect", "Risk", "Debt")
FIRST_STAGE = STAGES[0]
HOUR = 3600.0


def rows(con, sql: str) -> list[dict]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


# ---- the ground truth, seen the way the marts look at it ---------------------------------------


@dataclass
class Item:
    true: TrueItem
    flow_item_id: str
    value_stream: str
    type_changes: list[tuple[int, str]]  # (at_ms, flow item type from then on)
    first_type: str

    def __getattr__(self, name):
        return getattr(self.true, name)

    @property
    def end_at(self) -> datetime | None:
        return self.true.flow_end_at or self.true.canceled_at

    @property
    def is_counted(self) -> bool:
        """In flow velocity: completed, entered flow, history complete."""
        return self.is_completed and self.flow_start_at is not None and self.history_complete

    def type_at(self, moment: datetime) -> str:
        """Flow item type in effect at ``moment`` (changes at that instant included)."""
        ms, current = to_ms(moment), self.first_type
        for at, kind in self.type_changes:
            if at <= ms:
                current = kind
        return current

    def type_before(self, moment: datetime) -> str:
        """Flow item type just before ``moment`` (end-of-day states)."""
        ms, current = to_ms(moment), self.first_type
        for at, kind in self.type_changes:
            if at < ms:
                current = kind
        return current

    def state_before(self, moment: datetime) -> tuple[str, str] | None:
        """(stage held, flow state) just before ``moment``, or None when the item is not open then."""
        if not self.created_at < moment or (self.end_at is not None and self.end_at < moment):
            return None
        intervals = self.intervals
        for n, interval in enumerate(intervals):
            exited = interval.exited_at
            if interval.entered_at < moment and (exited is None or exited >= moment):
                stage = interval.stage
                if stage is None:
                    earlier = [
                        iv.stage
                        for iv in intervals[:n]
                        if iv.stage is not None and (iv.exited_at is None or iv.exited_at > iv.entered_at)
                    ]
                    stage = earlier[-1] if earlier else FIRST_STAGE
                return stage, interval.flow_state
        raise AssertionError(f"{self.issue_key}: no status interval just before {moment}")


@dataclass
class Truth:
    items: list[Item]
    as_of: datetime
    zone: str

    @property
    def as_of_date(self) -> date:
        return local_date(self.as_of, self.zone)

    def measured(self, day: date) -> datetime:
        return min(local_midnight(day + timedelta(days=1), self.zone), self.as_of)

    def local(self, moment: datetime) -> date:
        return local_date(moment, self.zone)

    def streams(self) -> list[str]:
        return sorted({it.value_stream for it in self.items}) + ["all"]

    def of_stream(self, stream: str) -> list[Item]:
        return [it for it in self.items if stream in ("all", it.value_stream)]

    def days(self) -> list[date]:
        first = min(self.local(it.created_at) for it in self.items)
        return [first + timedelta(days=n) for n in range((self.as_of_date - first).days + 1)]

    def window(self) -> tuple[date, date, datetime, datetime]:
        end = self.as_of_date
        start = end - timedelta(days=WINDOW_DAYS)
        return start, end, local_midnight(start, self.zone), local_midnight(end, self.zone)


@pytest.fixture(scope="module")
def truth(flow_pipeline) -> Truth:
    org, true = flow_pipeline.org, flow_pipeline.truth
    model = org.jira.model
    index = {str(int(model.issue_id[i])): i for i in range(model.size)}
    as_of_ms = to_ms(true.as_of)
    items = []
    for it in true.flow_items():
        i = index[it.issue_id]
        labels = model.labels[i]
        changes = [
            (at, flow_item_type(c.ISSUE_TYPES[to].name, labels))
            for at, kind, _, to, _ in model.events(i, as_of_ms)
            if kind == TYPE_EVENT
        ]
        first = flow_item_type(c.ISSUE_TYPES[int(model.type0[i])].name, labels)
        items.append(Item(it, f"demo-jira:{it.issue_id}", it.project_key, changes, first))
    assert any(it.type_changes for it in items), "the organisation should change some issue types"
    return Truth(items, true.as_of, org.config.user_timezone)


@pytest.fixture(scope="module")
def marts(flow_pipeline):
    with flow_pipeline.run.published() as con:
        return {
            name: rows(con, f"select * from marts.{name}")
            for name in (
                "flow_metrics",
                "flow_load_daily",
                "cumulative_flow_daily",
                "aging_wip",
                "process_behaviour",
                "forecasts",
                "constraints",
                "littles_law_check",
            )
        }


# ---- expected figures ---------------------------------------------------------------------------


def period_of(day: date, grain: str) -> date:
    return week_start(day) if grain == "week" else day.replace(day=1)


def expected_flow_metrics(truth: Truth) -> dict[tuple, dict]:
    """Every flow_metrics row: (stream, type, grain, period_start) → figures."""
    groups: dict[tuple, dict] = defaultdict(lambda: defaultdict(list))
    event_days = []

    def add(item: Item, kind: str, day: date, flow_type: str, value=None):
        event_days.append(day)
        for grain in ("week", "month"):
            for stream in (item.value_stream, "all"):
                for t in (flow_type, "all"):
                    groups[(stream, t, grain, period_of(day, grain))][kind].append(
                        value if value is not None else item
                    )

    for item in truth.items:
        if item.is_completed:
            day = truth.local(item.flow_end_at)
            if item.flow_start_at is None:
                add(item, "without_flow", day, item.flow_item_type)
            elif not item.history_complete:
                add(item, "incomplete_completed", day, item.flow_item_type)
            else:
                add(item, "completed", day, item.flow_item_type)
        if item.flow_start_at is not None:
            kind = "started" if item.history_complete else "incomplete_started"
            add(item, kind, truth.local(item.flow_start_at), item.type_at(item.flow_start_at))
        if item.is_canceled:
            add(item, "canceled", truth.local(item.canceled_at), item.type_at(item.canceled_at))

    first, last = min(event_days), truth.as_of_date
    periods = {
        (grain, period_of(first + timedelta(days=n), grain))
        for n in range((last - first).days + 1)
        for grain in ("week", "month")
    }
    expected = {}
    for stream in truth.streams():
        for t in (*FLOW_ITEM_TYPES, "all"):
            for grain, start in periods:
                g = groups.get((stream, t, grain, start), {})
                done = g.get("completed", [])
                times = [it.flow_time_seconds / HOUR for it in done]
                efficiencies = [it.flow_efficiency for it in done if it.flow_efficiency is not None]
                active = sum(it.active_seconds for it in done)
                wait = sum(it.wait_seconds for it in done)
                expected[(stream, t, grain, start)] = {
                    "flow_velocity_items": len(done),
                    "arrival_items": len(g.get("started", [])),
                    "canceled_items": len(g.get("canceled", [])),
                    "completed_without_flow_items": len(g.get("without_flow", [])),
                    "history_incomplete_completed_items": len(g.get("incomplete_completed", [])),
                    "history_incomplete_started_items": len(g.get("incomplete_started", [])),
                    "flow_time_n": len(times),
                    "is_small_sample": len(times) < MIN_N,
                    "flow_time_p50_hours": quantile_cont(times, 0.5) if len(times) >= MIN_N else None,
                    "flow_time_p85_hours": quantile_cont(times, 0.85) if len(times) >= MIN_N else None,
                    "flow_time_p95_hours": quantile_cont(times, 0.95) if len(times) >= MIN_N else None,
                    "flow_time_mean_hours": sum(times) / len(times) if times else None,
                    "flow_efficiency_n": len(efficiencies),
                    "flow_efficiency_ratio_of_sums": active / (active + wait) if active + wait > 0 else None,
                    "flow_efficiency_median": (
                        quantile_cont(efficiencies, 0.5) if len(efficiencies) >= MIN_N else None
                    ),
                }
    for (stream, _type, grain, start), figures in expected.items():
        total = expected[(stream, "all", grain, start)]["flow_velocity_items"]
        figures["flow_distribution_pct"] = 100.0 * figures["flow_velocity_items"] / total if total else None
    return expected


def expected_item_days(truth: Truth) -> dict[tuple[str, date], tuple[str, str, bool, str, bool]]:
    """(flow_item_id, day) → (stage held, flow state, in flow, type just before, history complete)."""
    states = {}
    for day in truth.days():
        moment = truth.measured(day)
        for item in truth.items:
            state = item.state_before(moment)
            if state is None:
                continue
            in_flow = item.flow_start_at is not None and item.flow_start_at < moment
            states[(item.flow_item_id, day)] = (
                state[0],
                state[1],
                in_flow,
                item.type_before(moment),
                item.history_complete,
            )
    return states


@pytest.fixture(scope="module")
def item_days(truth):
    return expected_item_days(truth)


@pytest.fixture(scope="module")
def daily_wip(truth, item_days) -> dict[tuple[date, str, str, str], tuple[int, int]]:
    """(day, stream, type, stage) → (WIP, of which history incomplete); only non-zero cells."""
    streams = {it.flow_item_id: it.value_stream for it in truth.items}
    counts: Counter = Counter()
    incomplete: Counter = Counter()
    for (flow_item_id, day), (stage, _, in_flow, flow_type, complete) in item_days.items():
        if not in_flow:
            continue
        for stream in (streams[flow_item_id], "all"):
            counts[(day, stream, flow_type, stage)] += 1
            incomplete[(day, stream, flow_type, stage)] += 0 if complete else 1
    return {key: (n, incomplete[key]) for key, n in counts.items()}


def complete_wip(daily_wip, day: date, stream: str) -> int:
    return sum(n - inc for (d, s, _, _), (n, inc) in daily_wip.items() if d == day and s == stream)


# ---- flow metrics -------------------------------------------------------------------------------


def test_flow_metrics_equal_the_ground_truth(truth, marts):
    expected = expected_flow_metrics(truth)
    actual = {
        (r["value_stream"], r["flow_item_type"], r["period_grain"], r["period_start"]): r
        for r in marts["flow_metrics"]
    }
    assert set(actual) == set(expected), "the spine of streams × types × periods"
    for key, figures in expected.items():
        row = actual[key]
        for column, value in figures.items():
            if isinstance(value, float) or column.endswith(("_hours", "_pct", "_sums", "_median")):
                assert close(row[column], value), f"{key} {column}: {row[column]} != {value}"
            else:
                assert row[column] == value, f"{key} {column}: {row[column]} != {value}"
    monthly = sum(
        f["flow_velocity_items"]
        for (s, t, g, _), f in expected.items()
        if (s, t, g) == ("all", "all", "month")
    )
    assert monthly == sum(it.is_counted for it in truth.items) > 150


def test_velocity_types_items_at_completion_and_arrivals_at_the_start(truth, marts):
    """Items whose type changed count by the type at completion in velocity, by the type at flow
    start in arrivals — read straight from the mart."""
    changed = [it for it in truth.items if it.type_changes and it.is_counted]
    assert changed, "a completed item with a type change"
    weekly = {
        (r["value_stream"], r["flow_item_type"], r["period_start"]): r
        for r in marts["flow_metrics"]
        if r["period_grain"] == "week"
    }
    for item in changed:
        week = week_start(truth.local(item.flow_end_at))
        assert weekly[(item.value_stream, item.flow_item_type, week)]["flow_velocity_items"] >= 1


# ---- daily load and the cumulative flow diagram --------------------------------------------------


def test_daily_wip_equals_the_ground_truth(truth, marts, daily_wip):
    actual = {
        (r["day"], r["value_stream"], r["flow_item_type"], r["stage"]): (
            r["wip_items"],
            r["history_incomplete_wip_items"],
        )
        for r in marts["flow_load_daily"]
    }
    nonzero = {key: value for key, value in actual.items() if value[0]}
    assert nonzero == daily_wip
    days = truth.days()
    assert len(actual) == len(days) * len(truth.streams()) * len(FLOW_ITEM_TYPES) * len(STAGES)
    assert {r["day"] for r in marts["flow_load_daily"]} == set(days)


def test_daily_wip_types_items_by_their_type_of_the_day(truth, item_days):
    """An item whose type changed while in flow is counted under both types, each on its days."""
    shown = False
    for item in truth.items:
        if not item.type_changes or item.flow_start_at is None:
            continue
        types = {state[3] for (fid, _), state in item_days.items() if fid == item.flow_item_id and state[2]}
        shown = shown or len(types) > 1
    assert shown, "no item changed its type while in flow; the daily-type case is not exercised"


def test_cumulative_flow_equals_the_ground_truth(truth, marts, item_days):
    streams = {it.flow_item_id: it.value_stream for it in truth.items}
    expected: Counter = Counter()
    for (flow_item_id, day), (stage, *_rest) in item_days.items():
        for stream in (streams[flow_item_id], "all"):
            expected[(day, stream, stage)] += 1
    for day in truth.days():
        moment = truth.measured(day)
        for item in truth.items:
            if item.flow_end_at is not None and item.flow_end_at < moment:
                for stream in (item.value_stream, "all"):
                    expected[(day, stream, "Done")] += 1
    actual = {(r["day"], r["value_stream"], r["band"]): r for r in marts["cumulative_flow_daily"]}
    assert len(actual) == len(truth.days()) * len(truth.streams()) * (len(STAGES) + 1)
    for key, row in actual.items():
        assert row["item_count"] == expected.get(key, 0), key
    last = truth.as_of_date
    assert actual[(last, "all", "Done")]["item_count"] == sum(it.is_completed for it in truth.items)
    assert actual[(last, "all", FIRST_STAGE)]["items_reached_count"] == sum(
        not it.is_canceled for it in truth.items
    )


# ---- aging --------------------------------------------------------------------------------------


def test_aging_wip_equals_the_ground_truth(truth, marts):
    _, _, start_at, end_at = truth.window()
    actual = {r["flow_item_id"]: r for r in marts["aging_wip"]}
    open_items = [it for it in truth.items if it.flow_start_at and not it.is_completed and not it.is_canceled]
    assert set(actual) == {it.flow_item_id for it in open_items} and len(open_items) > 10
    for item in open_items:
        row = actual[item.flow_item_id]
        reference = [
            it
            for it in truth.of_stream(item.value_stream)
            if it.is_counted and start_at <= it.flow_end_at < end_at
        ]
        flow_times = [it.flow_time_seconds / HOUR for it in reference]
        cycle_times = [it.cycle_time_seconds / HOUR for it in reference if it.cycle_time_seconds is not None]
        age = (truth.as_of - item.flow_start_at).total_seconds() / HOUR
        assert close(row["age_hours"], age), item.issue_key
        cycle_age = (
            (truth.as_of - item.cycle_start_at).total_seconds() / HOUR if item.cycle_start_at else None
        )
        assert close(row["cycle_age_hours"], cycle_age), item.issue_key
        assert (row["flow_time_n"], row["cycle_time_n"]) == (len(flow_times), len(cycle_times))
        thresholds = [
            quantile_cont(flow_times, p) if len(flow_times) >= MIN_N else None for p in (0.5, 0.85, 0.95)
        ]
        assert all(
            close(row[f"flow_time_{p}_hours"], t)
            for p, t in zip(("p50", "p85", "p95"), thresholds, strict=True)
        ), item.issue_key
        passed = None
        if thresholds[0] is not None:
            passed = next(
                (p for p, t in zip(("p95", "p85", "p50"), thresholds[::-1], strict=True) if age > t), "none"
            )
        assert row["age_percentile_passed"] == passed, item.issue_key
        stage = item.state_before(truth.as_of + timedelta(microseconds=1))[0]
        assert row["stage"] == stage, item.issue_key
    assert any(r["age_percentile_passed"] in ("p85", "p95") for r in actual.values())


# ---- process behaviour --------------------------------------------------------------------------


def expected_series(truth: Truth, daily_wip) -> dict[tuple[str, str], list[float]]:
    series: dict[tuple[str, str], list[float]] = {}
    for stream in truth.streams():
        done = sorted(
            (it for it in truth.of_stream(stream) if it.is_counted),
            key=lambda it: (it.flow_end_at, it.flow_item_id),
        )
        series[("lead_time_hours", stream)] = [it.lead_time_seconds / HOUR for it in done]
        series[("cycle_time_hours", stream)] = [
            it.cycle_time_seconds / HOUR for it in done if it.cycle_time_seconds is not None
        ]
        starts = [
            truth.local(it.flow_start_at)
            for it in truth.of_stream(stream)
            if it.flow_start_at and it.history_complete
        ]
        first_week, weeks = week_start(min(starts)), []
        while first_week + timedelta(days=7) <= truth.as_of_date:
            weeks.append(first_week)
            first_week += timedelta(days=7)
        completions = Counter(week_start(truth.local(it.flow_end_at)) for it in done)
        series[("weekly_throughput_items", stream)] = [float(completions[w]) for w in weeks]
        series[("weekly_average_wip_items", stream)] = [
            sum(complete_wip(daily_wip, w + timedelta(days=n), stream) for n in range(7)) / 7 for w in weeks
        ]
    return series


def test_process_behaviour_charts_equal_the_ground_truth(truth, marts, daily_wip):
    charts = defaultdict(list)
    expected = expected_series(truth, daily_wip)
    flow_series = {series for series, _ in expected}
    for row in marts["process_behaviour"]:
        if row["series"] in flow_series:  # the weekly DORA series: test_dora_process_behaviour_known_answers
            charts[(row["series"], row["value_stream"])].append(row)
    assert set(charts) == set(expected)
    signals = Counter()
    for key, values in expected.items():
        actual = sorted(charts[key], key=lambda r: r["point_index"])
        assert [r["point_index"] for r in actual] == list(range(1, len(values) + 1)), key
        assert all(close(r["value"], v) for r, v in zip(actual, values, strict=True)), key
        for row, point in zip(actual, xmr_chart(values), strict=True):
            differences = xmr_row_differences(row, point)
            assert not differences, (key, point.index, differences)
            signals.update(rule for rule in ("rule_1", "rule_2", "rule_3") if getattr(point, rule))
    assert signals["rule_1"] and signals["rule_3"], "the organisation's charts show signals"


def test_process_behaviour_points_carry_the_events_of_their_period(marts):
    weekly = [
        r
        for r in marts["process_behaviour"]
        if r["series"] == "weekly_throughput_items" and r["value_stream"] == "all"
    ]
    annotated = {r["period_start"]: r["events"] for r in weekly if r["event_count"]}
    # the shipped events_log: 2026-08-01 applies to every stream; its week starts on 27 July
    assert "2026-08-01 *: In Staging counted in the Deploy stage" in annotated[date(2026, 7, 27)]
    # per item, an event annotates exactly one point: the first item completed on or after it
    per_item = sorted(
        (
            r
            for r in marts["process_behaviour"]
            if r["series"] == "lead_time_hours" and r["value_stream"] == "PAY"
        ),
        key=lambda r: r["point_index"],
    )
    first, last = per_item[0]["period_start"], per_item[-1]["period_end"]
    pay_events = [d for d, stream in EVENTS if stream in ("PAY", "*") and first <= d < last]
    assert sum(r["event_count"] for r in per_item) == len(pay_events) >= 3


EVENTS = [
    (date(2026, 5, 18), "*"),
    (date(2026, 6, 8), "PAY"),
    (date(2026, 6, 22), "MOB"),
    (date(2026, 7, 6), "PLAT"),
    (date(2026, 8, 1), "*"),
    (date(2026, 8, 24), "PAY"),
    (date(2026, 9, 14), "MOB"),
    (date(2026, 10, 5), "PLAT"),
]  # seeds/mappings/events_log.csv


# ---- Little's law and constraints ---------------------------------------------------------------


def test_littles_law_check_equals_the_ground_truth(truth, marts, daily_wip):
    start, end, start_at, end_at = truth.window()
    days = [start + timedelta(days=n) for n in range(WINDOW_DAYS)]
    actual = {r["value_stream"]: r for r in marts["littles_law_check"]}
    assert set(actual) == set(truth.streams())
    for stream in truth.streams():
        row = actual[stream]
        avg_wip = sum(complete_wip(daily_wip, d, stream) for d in days) / WINDOW_DAYS
        done = [it for it in truth.of_stream(stream) if it.is_counted and start_at <= it.flow_end_at < end_at]
        throughput = len(done) / WINDOW_DAYS
        flow_days = sum(it.flow_time_seconds for it in done) / len(done) / 86400
        assert (row["window_start_date"], row["window_end_date"]) == (start, end)
        assert close(row["avg_wip_items"], avg_wip), stream
        assert row["wip_start_items"] == complete_wip(daily_wip, start - timedelta(days=1), stream), stream
        assert row["wip_end_items"] == complete_wip(daily_wip, end - timedelta(days=1), stream), stream
        assert row["completed_items"] == len(done)
        assert close(row["expected_wip_items"], throughput * flow_days), stream
        assert close(row["relative_deviation"], (throughput * flow_days - avg_wip) / avg_wip), stream
        stable = abs(row["wip_end_items"] - row["wip_start_items"]) / avg_wip <= 0.25
        within = abs(row["relative_deviation"]) <= 0.2
        assert (row["is_wip_stable"], row["is_within_tolerance"], row["is_flagged"]) == (
            stable,
            within,
            not (stable and within),
        ), stream


def test_constraints_equal_the_ground_truth(truth, marts, daily_wip):
    start, _, start_at, end_at = truth.window()
    days = [start + timedelta(days=n) for n in range(WINDOW_DAYS)]
    actual = {(r["value_stream"], r["stage"]): r for r in marts["constraints"]}
    for stream in truth.streams():
        waits = Counter()
        for item in truth.of_stream(stream):
            for iv in item.intervals:
                if iv.flow_state != "waiting" or iv.duration_seconds is None:
                    continue
                lower = max(iv.entered_at, start_at)
                upper = min(iv.exited_at or end_at, end_at)
                waits[iv.stage] += max(0.0, (upper - lower).total_seconds() / HOUR)
        held = {
            (day, stage): sum(
                n for (d, s, _, st), (n, _) in daily_wip.items() if d == day and s == stream and st == stage
            )
            for day in days
            for stage in STAGES
        }
        starved = {}
        for stage, downstream in zip(STAGES, STAGES[1:], strict=False):
            starved[stage] = sum(held[(d, stage)] > 0 and held[(d, downstream)] == 0 for d in days)
        for stage in STAGES:
            row = actual[(stream, stage)]
            assert close(row["wait_hours"], waits[stage]), (stream, stage)
            assert row["empty_days"] == sum(held[(d, stage)] == 0 for d in days), (stream, stage)
            assert row["downstream_starved_days"] == starved.get(stage), (stream, stage)
        most_waiting = max(STAGES, key=lambda st: (waits[st], -STAGE_ORDER[st]))
        starving = max(starved, key=lambda st: (starved[st], -STAGE_ORDER[st]))
        flagged = [st for st in STAGES if actual[(stream, st)]["is_most_waiting_stage"]]
        assert flagged == ([most_waiting] if waits[most_waiting] > 0 else []), stream
        flagged = [st for st in STAGES if actual[(stream, st)]["is_starving_stage"]]
        assert flagged == ([starving] if starved[starving] > 0 else []), stream


# ---- forecasts ----------------------------------------------------------------------------------


def expected_throughput(truth: Truth, as_of_date: date) -> tuple[list[date], dict[str, list[int]]]:
    first_flow = min(truth.local(it.flow_start_at) for it in truth.items if it.flow_start_at)
    first = max(as_of_date - timedelta(days=SAMPLE_DAYS), first_flow)
    days = [first + timedelta(days=n) for n in range((as_of_date - first).days)]
    done = Counter((it.value_stream, truth.local(it.flow_end_at)) for it in truth.items if it.is_counted)
    series = {}
    for stream in truth.streams():
        if stream == "all":
            series[stream] = [sum(done[(s, d)] for s in truth.streams()[:-1]) for d in days]
        else:
            series[stream] = [done[(stream, d)] for d in days]
    return days, series


def test_forecasts_replay_the_seed(truth, marts):
    """The forecast equals an independent replay of the seeded draws over the true throughput."""
    days, throughput = expected_throughput(truth, truth.as_of_date)
    open_items = {
        s: sum(not it.is_completed and not it.is_canceled for it in truth.of_stream(s))
        for s in truth.streams()
    }
    replay = monte_carlo(
        throughput, open_items, trials=TRIALS, seed=SEED, simulated_days=MAX_DAYS, horizon_days=HORIZON
    )
    actual = {r["value_stream"]: r for r in marts["forecasts"]}
    assert set(actual) == set(truth.streams())
    for stream, forecast in replay.items():
        row = actual[stream]
        assert (row["sample_start_date"], row["sample_end_date"], row["sample_days"]) == (
            days[0],
            days[-1],
            len(days),
        )
        assert row["sample_completed_items"] == sum(throughput[stream])
        assert row["target_items"] == open_items[stream] and row["trials"] == TRIALS
        start = truth.as_of_date
        for p, q in (("p50", 0.5), ("p85", 0.85), ("p95", 0.95)):
            day = forecast.when(q)
            assert row[f"when_done_{p}_date"] == (
                start + timedelta(days=day - 1) if day <= MAX_DAYS else None
            ), stream
            assert row[f"how_many_{p}_items"] == forecast.how_many(q), stream


def test_forecast_backtest_brackets_what_happened(flow_pipeline, truth, tmp_path):
    """Forecast from 1 September (local midnight) with the same code, on a copy of the working
    warehouse: reproducible for the seed, and what really completed in the next 28 days — and
    when the next 40 items were done — lies within the forecast's spread."""
    past = date(2026, 9, 1)
    as_of = local_midnight(past, truth.zone)
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copy(flow_pipeline.run.settings.warehouse.working_path, warehouse)
    target = 40
    forecast_vars = {
        "as_of": as_of.strftime("%Y-%m-%d %H:%M:%S"),
        "reporting_timezone": truth.zone,
        "forecast_items": target,
    }
    run_dbt(
        warehouse,
        ["run", "--select", "int_flow_throughput_daily_counted", "forecasts"],
        vars=forecast_vars,
        work_dir=tmp_path,
        check=True,
    )
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        row = rows(con, "select * from marts.forecasts where value_stream = 'all'")[0]

    _, throughput = expected_throughput(truth, past)
    replay = monte_carlo(
        {"all": throughput["all"]},
        {"all": target},
        trials=TRIALS,
        seed=SEED,
        simulated_days=MAX_DAYS,
        horizon_days=HORIZON,
    )["all"]
    assert row["how_many_p50_items"] == replay.how_many(0.5)
    assert row["when_done_p95_date"] == past + timedelta(days=replay.when(0.95) - 1)

    later = sorted(
        truth.local(it.flow_end_at) for it in truth.items if it.is_counted and it.flow_end_at >= as_of
    )
    happened = sum(d < past + timedelta(days=HORIZON) for d in later)
    low, high = nearest_rank(replay.items_by_target, 0.05), nearest_rank(replay.items_by_target, 0.95)
    assert row["how_many_p95_items"] == low
    assert low <= happened <= high, f"{happened} items done, forecast 5–95 % range {low}–{high}"
    done_on = later[target - 1]
    earliest = past + timedelta(days=nearest_rank(replay.done_day, 0.05) - 1)
    assert earliest <= done_on <= row["when_done_p95_date"], f"{target} items done on {done_on}"
