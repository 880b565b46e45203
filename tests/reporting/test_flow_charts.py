"""The cumulative flow diagram, aging WIP, flow distribution, forecast, ROI and lead-time charts,
drawn from small hand-made mart rows."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from orchestration.reporting.charts import figure_svg
from orchestration.reporting.flow import aging_wip_figure, cumulative_flow_figure, flow_distribution_figure
from orchestration.reporting.forecast import forecast_figure, forecast_sentences
from orchestration.reporting.lead_time import StageTime, lead_time_figure, render_lead_time_bar
from orchestration.reporting.outcomes import read_roi_top, roi_figure
from tests.support.report_rows import aging_item, forecast_row


def marks(svg: str, prefix: str, name: str) -> int:
    return svg.count(f'id="{prefix}-mark-{name}-')


def cfd_rows(days: int, start: date = date(2026, 1, 1)) -> pd.DataFrame:
    rows = []
    for n in range(days):
        day = start + timedelta(days=n)
        counts = {"Discovery": 5 + n, "Dev": 2 if n >= 3 else 0, "Done": max(0, n - 3)}
        rows += [
            {"day": day, "band": band, "band_order": order, "item_count": counts[band]}
            for order, band in enumerate(("Discovery", "Dev", "Done"), start=1)
        ]
    return pd.DataFrame(rows)


def test_cumulative_flow_stacks_done_at_the_bottom_from_the_first_moving_day():
    fig = cumulative_flow_figure(cfd_rows(10))
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["Discovery", "Dev", "Done"]
    bands = ax.collections
    assert len(bands) == 3
    # days 1–3 held only a backlog: the chart starts on day 4
    assert ax.get_xlim()[0] == pytest_approx_date(date(2026, 1, 4))
    top = bands[-1].get_paths()[0].vertices[:, 1].max()
    assert top == 5 + 9 + 2 + 6  # the last day's Discovery + Dev + Done
    assert marks(figure_svg(fig, "c"), "c", "band") == 3


def pytest_approx_date(day: date) -> float:
    import matplotlib.dates as mdates

    return mdates.date2num(pd.Timestamp(day))


def test_cumulative_flow_shows_at_most_the_last_days():
    fig = cumulative_flow_figure(cfd_rows(40), days=10)
    assert fig.axes[0].get_xlim()[0] == pytest_approx_date(date(2026, 1, 31))


def aging_rows() -> pd.DataFrame:
    return pd.DataFrame(
        [
            aging_item(1, "PAY", "Dev", 2, 1, "none"),
            aging_item(2, "PAY", "Dev", 2, 6, "p85"),
            aging_item(3, "PAY", "Review", 3, 11, "p95"),
            aging_item(4, "MOB", "Discovery", 1, 3, "p50"),
        ]
    )


def test_aging_wip_has_a_panel_per_stream_with_its_percentile_lines():
    fig = aging_wip_figure(aging_rows(), ["Discovery", "Dev", "Review", "Deploy"])
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title(loc="left") for ax in visible] == [
        "MOB: 1 open (lines: 12 finished items)",
        "PAY: 3 open (lines: 12 finished items)",
    ]
    pay = visible[1]
    assert [round(line.get_ydata()[0], 3) for line in pay.lines] == [2.0, 5.0, 10.0]  # p50/p85/p95 in days
    assert [t.get_text() for t in pay.get_xticklabels()] == ["Discovery", "Dev", "Review", "Deploy"]
    dots = np.concatenate([c.get_offsets() for c in pay.collections])
    assert sorted(dots[:, 1].tolist()) == [1.0, 6.0, 11.0]
    assert marks(figure_svg(fig, "a"), "a", "item") == 3  # one per stage column with items


def distribution_rows() -> pd.DataFrame:
    rows = []
    for month, done, counts in (
        (date(2025, 12, 1), True, {"Feature": 0, "Defect": 0}),
        (date(2026, 1, 1), True, {"Feature": 6, "Defect": 2}),
        (date(2026, 2, 1), True, {"Feature": 3, "Defect": 1}),
        (date(2026, 3, 1), False, {"Feature": 0, "Defect": 0}),
    ):
        rows += [
            {"period_start": month, "is_complete_period": done, "flow_item_type": t, "flow_velocity_items": n}
            for t, n in counts.items()
        ]
    return pd.DataFrame(rows)


def test_flow_distribution_shows_shares_from_the_first_completion():
    fig = flow_distribution_figure(distribution_rows())
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["Jan 2026", "Feb 2026"]
    heights = [round(p.get_height(), 6) for p in ax.patches]
    assert heights == [75.0, 75.0, 25.0, 25.0]  # Feature bars, then Defect bars
    texts = [t.get_text() for t in ax.texts]
    assert "n=8" in texts and "n=4" in texts


def test_flow_distribution_keeps_a_running_month_with_completions_and_fades_it():
    rows = distribution_rows()
    rows.loc[
        (rows["period_start"] == date(2026, 3, 1)) & (rows["flow_item_type"] == "Feature"),
        "flow_velocity_items",
    ] = 1
    ax = flow_distribution_figure(rows).axes[0]
    assert [t.get_text() for t in ax.get_xticklabels()][-1] == "Mar 2026\n(so far)"
    assert ax.patches[2].get_alpha() < 1 and ax.patches[0].get_alpha() == 1


def forecast_rows() -> pd.DataFrame:
    unknown = dict.fromkeys(
        (
            "when_done_p50_date",
            "when_done_p85_date",
            "when_done_p95_date",
            "how_many_p50_items",
            "how_many_p85_items",
            "how_many_p95_items",
        ),
    )
    return pd.DataFrame(
        [
            forecast_row("PAY", 30),
            forecast_row("MOB", 3, is_small_sample=True, **unknown),
            forecast_row(
                "all",
                33,
                when_done_p50_date=date(2026, 12, 1),
                when_done_p85_date=None,  # beyond the simulated days
                when_done_p95_date=None,
                how_many_p50_items=44,
                how_many_p85_items=38,
                how_many_p95_items=33,
            ),
        ]
    )


def test_forecast_sentences_say_what_to_plan_on():
    assert forecast_sentences(forecast_rows()) == [
        "PAY: the 30 open items are done by 24 Nov 2026 (85 % confidence; 50 %: 20 Nov); "
        "by 28 Nov 2026 at least 35 items are done (85 %).",
        "MOB: too few completions in the sample to forecast.",
        "All streams: the 33 open items are not done within the simulated horizon; "
        "by 28 Nov 2026 at least 38 items are done (85 %).",
    ]


def test_forecast_figure_draws_a_range_per_forecast_stream():
    fig = forecast_figure(forecast_rows())
    when, how_many = fig.axes
    assert [t.get_text() for t in when.get_yticklabels()] == ["PAY (30 open)", "all (33 open)"]
    assert how_many.get_title(loc="left") == "How many items by 28 Nov 2026?"
    svg = figure_svg(fig, "f")
    assert marks(svg, "f", "range") == 4 and marks(svg, "f", "p85") == 3  # 'all' has no p85 date


def test_roi_top_reads_nothing_without_the_outcome_marts():
    with duckdb.connect() as con:
        con.execute("CREATE SCHEMA marts")
        assert read_roi_top(con).empty


def test_roi_figure_ranks_items_and_hatches_small_samples():
    rows = pd.DataFrame(
        [
            {
                "roi_rank": 1,
                "issue_key": "PAY-1",
                "flag_keys": "pay-1-checkout",
                "lead_time_hours": 48.0,
                "adoption_pct": 40.0,
                "credited_adoption_points": 40.0,
                "roi_per_hour": 0.83,
                "is_small_sample": True,
                "credit_method": "sole",
            },
            {
                "roi_rank": 2,
                "issue_key": "MOB-2",
                "flag_keys": None,
                "lead_time_hours": 96.0,
                "adoption_pct": 20.0,
                "credited_adoption_points": 20.0,
                "roi_per_hour": 0.21,
                "is_small_sample": False,
                "credit_method": "sole",
            },
        ]
    )
    ax = roi_figure(rows).axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["#1 PAY-1 · pay-1-checkout", "#2 MOB-2 · no flag"]
    assert [p.get_hatch() for p in ax.patches] == ["///", None]
    assert [round(p.get_width(), 2) for p in ax.patches] == [0.83, 0.21]


STAGES = [
    StageTime("Discovery", 1, 480.0, 50.0, 48.0, 10, 10, True),
    StageTime("Dev", 2, 240.0, 25.0, 24.0, 10, 10, False),
    StageTime("Review", 3, 240.0, 25.0, 24.0, 8, 10, False),
]


def test_the_png_asset_and_the_report_draw_the_same_lead_time_bar(tmp_path: Path):
    fig = lead_time_figure(STAGES, target_days=5)
    ax = fig.axes[0]
    assert [round(p.get_width(), 3) for p in ax.patches] == [2.0, 1.0, 1.0]
    assert [p.get_x() for p in ax.patches] == [0.0, 2.0, 3.0]
    assert ax.patches[0].get_linewidth() > ax.patches[1].get_linewidth()  # the prime delay, outlined
    assert ax.lines[0].get_xdata()[0] == 5  # the target line
    assert "prime delay: Discovery" in ax.get_title(loc="left") and "n = 10" in ax.get_title(loc="left")
    assert marks(figure_svg(fig, "l"), "l", "stage") == 3
    path = render_lead_time_bar(STAGES, tmp_path / "bar.png", target_days=5)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
