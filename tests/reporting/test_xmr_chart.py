"""Process behaviour charts drawn from process_behaviour rows (small hand-made series)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import matplotlib.dates as mdates
import pandas as pd

from orchestration.reporting.charts import figure_svg
from orchestration.reporting.xmr import (
    DENSE_POINTS,
    parse_events,
    point_x,
    segment_spans,
    signal_summary,
    xmr_figure,
)


def weekly(values, *, signals=None, events=None, segments=None, unit="items") -> pd.DataFrame:
    """process_behaviour rows of a weekly series: centre/limits of one segment (or as given)."""
    signals = signals or {}
    events = events or {}
    rows = []
    for n, value in enumerate(values, start=1):
        start = date(2026, 1, 5) + timedelta(weeks=n - 1)
        segment = (segments or {}).get(n, 1)
        centre = 10.0 if segment == 1 else 20.0
        rows.append(
            {
                "series": "weekly_throughput_items",
                "value_stream": "all",
                "value_unit": unit,
                "point_index": n,
                "point_at": datetime(2026, 1, 4, 23) + timedelta(weeks=n - 1),
                "period_start": start,
                "period_end": start + timedelta(days=7),
                "flow_item_id": None,
                "issue_key": None,
                "value": float(value),
                "moving_range": None if n == 1 else abs(value - values[n - 2]),
                "segment_number": segment,
                "is_segment_start": n == 1 or segment != (segments or {}).get(n - 1, 1),
                "centre_line": centre,
                "average_moving_range": 2.0,
                "unpl": centre + 5.32,
                "lnpl": centre - 5.32,
                "url": 6.536,
                "is_outside_limits": "rule_1" in signals.get(n, ()),
                "is_moving_range_above_url": "mr" in signals.get(n, ()),
                "is_rule_1": bool({"rule_1", "mr"} & set(signals.get(n, ()))),
                "is_rule_2": "rule_2" in signals.get(n, ()),
                "is_rule_3": "rule_3" in signals.get(n, ()),
                "is_signal": bool(signals.get(n)),
                "event_count": len(events.get(n, [])),
                "events": "; ".join(events[n]) if n in events else None,
            }
        )
    return pd.DataFrame(rows)


def marks(svg: str, name: str) -> int:
    return svg.count(f'id="t-mark-{name}-')


def test_xmr_figure_draws_values_limits_signals_and_numbered_events():
    points = weekly(
        [10, 11, 9, 30, 10, 12],
        signals={4: ("rule_1", "mr"), 5: ("mr",)},
        events={
            2: ["2026-01-13 *: WIP limit"],
            5: ["2026-02-02 PAY: Daily release train", "2026-02-03 *: Review"],
        },
    )
    fig, notes = xmr_figure(points, "Throughput")
    svg = figure_svg(fig, "t")
    assert marks(svg, "values") == 1 and marks(svg, "points") == 1
    assert marks(svg, "centre") == 1 and marks(svg, "limits") == 1 and marks(svg, "url") == 1
    assert marks(svg, "signal") == 2  # the point outside the limits; the moving ranges above the URL
    assert notes == [
        "[1] 2026-01-13 (all): WIP limit",
        "[2] 2026-02-02 (PAY): Daily release train; 2026-02-03 (all): Review",
    ]
    assert ">1<" in svg and ">2<" in svg  # the numbered event markers


def _lines(fig, name: str) -> list[tuple[float, float, float]]:
    """(y, x from, x to) of every line in the figure's collection marked ``name``."""
    (collection,) = [
        c for ax in fig.axes for c in ax.collections if (c.get_gid() or "").startswith(f"mark-{name}-")
    ]
    return [(round(s[0][1], 2), s[0][0], s[1][0]) for s in collection.get_segments()]


def test_each_segment_gets_its_own_centre_line_and_limits():
    points = weekly([10, 11, 9, 20, 21, 19], segments={4: 2, 5: 2, 6: 2}, signals={4: ("rule_3",)})
    fig, _ = xmr_figure(points, "x")
    svg = figure_svg(fig, "t")
    # one collection per kind of line, holding one line per segment
    assert marks(svg, "centre") == 1 and marks(svg, "limits") == 1 and marks(svg, "url") == 1
    weeks = point_x(points).map(mdates.date2num)
    first, second = (weeks[0], weeks[2]), (weeks[3], weeks[5])
    assert _lines(fig, "centre") == [(10.0, *first), (20.0, *second)]
    assert _lines(fig, "limits") == [(15.32, *first), (25.32, *second), (4.68, *first), (14.68, *second)]
    assert _lines(fig, "url") == [(6.54, *first), (6.54, *second)]


def test_segment_spans_take_each_segments_first_and_last_point_and_its_limits():
    points = weekly([10, 11, 9, 20, 21, 19], segments={4: 2, 5: 2, 6: 2})
    points.loc[points["segment_number"] == 2, ["unpl", "lnpl"]] = None
    x = point_x(points)
    spans = segment_spans(points, x)
    assert spans["segment_number"].tolist() == [1, 2]
    assert spans["first"].tolist() == [x[0], x[3]] and spans["last"].tolist() == [x[2], x[5]]
    assert spans["centre_line"].tolist() == [10.0, 20.0]
    assert spans["unpl"].iloc[0] == 15.32 and pd.isna(spans["unpl"].iloc[1])


def test_long_durations_are_drawn_in_days():
    points = weekly([100, 120, 90], unit="hours")
    fig, _ = xmr_figure(points, "Lead time")
    assert fig.axes[0].get_ylabel() == "days"
    assert max(fig.axes[0].lines[0].get_ydata()) == 5.0


def test_items_are_placed_at_their_completion_and_weeks_at_their_start():
    points = weekly([1, 2])
    points.loc[0, "flow_item_id"] = "jira:1"
    assert list(point_x(points)) == [pd.Timestamp("2026-01-04 23:00"), pd.Timestamp("2026-01-12")]


def test_signal_summary_names_recent_signals_and_shifts():
    stable = weekly([10, 11, 9, 10])
    assert signal_summary(stable, "items") == (
        "Latest 10.0 items (centre 10.0, limits 4.7–15.3); no signal in the last 4 points "
        "(routine variation)."
    )
    shifted = weekly(
        [10, 11, 9, 20, 21, 19], segments={4: 2, 5: 2, 6: 2}, signals={4: ("rule_3", "mr"), 6: ("rule_2",)}
    )
    assert signal_summary(shifted, "items", recent=3) == (
        "Latest 19.0 items (centre 20.0, limits 14.7–25.3); signals in the last 3 points: moving range above "
        "the URL ×1, rule 2 ×1, rule 3 run ×1; shifts confirmed from 26 Jan 2026."
    )
    assert signal_summary(weekly([]), "items") == "No points yet."


def test_parse_events_splits_the_mart_listing():
    assert parse_events(None) == []
    assert parse_events("2026-08-01 *: In Staging counted; moved; 2026-08-24 PAY: Daily release train") == [
        ("2026-08-01", "*", "In Staging counted; moved"),
        ("2026-08-24", "PAY", "Daily release train"),
    ]


def test_a_dense_series_is_drawn_as_an_image_inside_the_svg():
    points = weekly([10 + (n % 7) for n in range(DENSE_POINTS + 1)], signals={3: ("rule_1",)})
    svg = figure_svg(xmr_figure(points, "dense")[0], "t")
    assert "<image" in svg and marks(svg, "points") == 0  # the points are pixels now
    assert marks(svg, "centre") == 1  # the lines of the limits stay vectors
    assert len(svg) < 1_000_000, len(svg)
