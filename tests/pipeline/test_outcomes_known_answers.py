"""The outcome marts of the whole pipeline (Dagster job: Jira, Git, GitHub, LaunchDarkly and product
files extracted from the simulated organisation → dbt → published marts) against the organisation's
ground truth (``org.outcome_truth()``), figure by figure: releases and rollbacks, daily adoption and the
7/30-day windows, NPS, the flag ↔ item links with their credit, every item's outcome and rank, and the
stage impact. It reads the session's shared pipeline run (tests/pipeline/conftest.py)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest

from extractors.simulation import (
    OutcomeTruth,
    SimulatedOrganisation,
)
from orchestration.cli import print_summary
from orchestration.config import Settings

pytestmark = pytest.mark.pipeline


@dataclass
class OutcomePipeline:
    org: SimulatedOrganisation
    truth: OutcomeTruth
    settings: Settings
    succeeded: bool

    def rows(self, sql: str) -> list[dict]:
        import duckdb

        with duckdb.connect(str(self.settings.warehouse.published_path), read_only=True) as con:
            cursor = con.execute(sql)
            columns = [d[0] for d in cursor.description]
            return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


@pytest.fixture(scope="module")
def outcome_pipeline(flow_pipeline) -> OutcomePipeline:
    """The shared pipeline run (every demo source, two incremental runs) seen through its outcome marts."""
    org = flow_pipeline.org
    return OutcomePipeline(org, org.outcome_truth(), flow_pipeline.run.settings, flow_pipeline.run.succeeded)


def utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.replace(tzinfo=UTC)


class Differences:
    def __init__(self):
        self.found: list[str] = []

    def check(self, what, key, field, got, want) -> None:
        if got is None or want is None:
            same = got is None and want is None
        elif isinstance(got, float) or isinstance(want, float):
            same = math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-9)
        else:
            same = got == want
        if not same:
            self.found.append(f"{what} {key} {field}: mart {got!r}, truth {want!r}")

    def assert_none(self) -> None:
        assert not self.found, f"{len(self.found)} differences:\n" + "\n".join(self.found[:30])


def test_the_pipeline_succeeded_and_published_the_outcome_marts(outcome_pipeline):
    assert outcome_pipeline.succeeded
    published = {
        r["table_name"]
        for r in outcome_pipeline.rows("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'marts'")
    }
    assert {
        "feature_releases",
        "feature_adoption",
        "nps",
        "flow_item_flags",
        "feature_outcomes",
        "outcome_stage_impact",
    } <= published


def test_releases_and_rollbacks(outcome_pipeline):
    truth, diff = outcome_pipeline.truth, Differences()
    marts = {
        (r["flag_key"], r["environment_key"]): r
        for r in outcome_pipeline.rows("SELECT * FROM marts.feature_releases")
    }
    assert set(marts) == set(truth.releases)
    for key, want in truth.releases.items():
        got = marts[key]
        for field in (
            "flag_created_at",
            "first_on_at",
            "released_at",
            "first_rollback_at",
            "last_changed_at",
        ):
            diff.check("release", key, field, utc(got[field]), getattr(want, field))
        for field in (
            "release_count",
            "rollback_count",
            "is_rolled_back",
            "current_is_on",
            "current_serving_pct",
        ):
            diff.check("release", key, field, got[field], getattr(want, field))
    diff.assert_none()
    rolled = {k for k, r in truth.releases.items() if r.rollback_count}
    assert {
        (truth.scenarios["rollback_off"][0], "production"),
        (truth.scenarios["rollback_reduced"][0], "production"),
    } <= rolled


def test_daily_adoption_and_windows(outcome_pipeline):
    truth, diff = outcome_pipeline.truth, Differences()
    days = {
        (r["feature_key"], r["usage_date"]): r
        for r in outcome_pipeline.rows("SELECT * FROM marts.feature_adoption")
    }
    assert set(days) == set(truth.usage)
    for key, (eligible, used) in truth.usage.items():
        diff.check("usage", key, "eligible", days[key]["eligible_active_users"], eligible)
        diff.check("usage", key, "used", days[key]["users_who_used"], used)
    per_feature = {k: r for (k, _), r in days.items()}
    for (key, window), want in truth.windows.items():
        got = per_feature[key]
        for field, value in (
            ("pct", want.adoption_pct),
            ("eligible_user_days", want.eligible_user_days),
            ("users_who_used", want.users_who_used),
            ("days_observed", want.days_observed),
            ("is_small_sample", want.is_small_sample),
        ):
            diff.check("window", (key, window), field, got[f"adoption_{window}d_{field}"], value)
    diff.assert_none()
    assert truth.windows[(truth.scenarios["tiny_usage"][0], 30)].is_small_sample


def test_nps_overall_and_per_feature(outcome_pipeline):
    truth, diff = outcome_pipeline.truth, Differences()
    rows = {r["feature_key"]: r for r in outcome_pipeline.rows("SELECT * FROM marts.nps")}
    overall = rows.pop(None)
    want = truth.nps_overall
    for field, value in (
        ("n", want.exposed.n),
        ("nps", want.exposed.nps),
        ("nps_se", want.exposed.se),
        ("is_small_sample", want.is_small_sample),
    ):
        diff.check("nps", "overall", field, overall[field], value)
    assert set(rows) == set(truth.nps_features)
    for key, want in truth.nps_features.items():
        got = rows[key]
        for field, value in (
            ("release_at", want.release_at),
            ("n", want.exposed.n),
            ("promoters", want.exposed.promoters),
            ("detractors", want.exposed.detractors),
            ("nps", want.exposed.nps),
            ("nps_se", want.exposed.se),
            ("before_n", want.before and want.before.n),
            ("before_nps", want.before and want.before.nps),
            ("control_n", want.control and want.control.n),
            ("control_nps", want.control and want.control.nps),
            ("nps_delta", want.nps_delta),
            ("nps_delta_se", want.nps_delta_se),
            ("nps_delta_vs_control", want.nps_delta_vs_control),
            ("is_small_sample", want.is_small_sample),
        ):
            diff.check("nps", key, field, utc(got[field]) if field == "release_at" else got[field], value)
    diff.assert_none()


def test_flag_item_links_and_credit(outcome_pipeline):
    truth, diff = outcome_pipeline.truth, Differences()
    links = {
        (r["flow_item_id"], r["flag_key"]): r
        for r in outcome_pipeline.rows("SELECT * FROM marts.flow_item_flags")
    }
    assert set(links) == set(truth.links)
    for key, want in truth.links.items():
        for field in ("link_source", "matched_key", "credit_share", "credit_method"):
            diff.check("link", key, field, links[key][field], getattr(want, field))
    diff.assert_none()
    methods = {link.credit_method for link in truth.links.values()}
    assert {"sole", "declared_weight", "even"} <= methods
    assert {"custom_property", "mapping_seed"} == {link.link_source for link in truth.links.values()}


ITEM_FIELDS = (
    "release_source",
    "is_deployed_dark",
    "deploy_to_release_hours",
    "time_to_value_hours",
    "has_rollback",
    "adoption_pct",
    "credited_adoption_points",
    "adoption_source",
    "adoption_eligible_user_days",
    "adoption_is_small_sample",
    "nps_delta",
    "nps_source",
    "nps_is_small_sample",
    "credit_share",
    "credit_method",
    "declared_value_usd",
    "cost_of_delay_usd_per_week",
    "lead_time_hours",
    "roi_per_hour",
    "value_per_active_hour_usd",
    "delay_cost_incurred_usd",
    "cd3_usd_per_week_per_week",
    "is_small_sample",
    "roi_rank",
)


def test_every_items_outcome(outcome_pipeline):
    truth, diff = outcome_pipeline.truth, Differences()
    items = {r["flow_item_id"]: r for r in outcome_pipeline.rows("SELECT * FROM marts.feature_outcomes")}
    assert set(items) == set(truth.items)
    for key, want in truth.items.items():
        got = items[key]
        diff.check("item", key, "flag_keys", got["flag_keys"], ", ".join(want.flag_keys) or None)
        for field in ("first_deployed_at", "released_at"):
            diff.check("item", key, field, utc(got[field]), getattr(want, field))
        for field in ITEM_FIELDS:
            diff.check("item", key, field, got[field], getattr(want, field))
    diff.assert_none()
    assert any(i.is_deployed_dark for i in truth.items.values())
    assert any(len(i.flag_keys) == 2 for i in truth.items.values())
    assert any(not i.flag_keys and i.release_source == "deployment" for i in truth.items.values())


def test_stage_impact(outcome_pipeline):
    truth, diff = outcome_pipeline.truth, Differences()
    rows = {r["stage"]: r for r in outcome_pipeline.rows("SELECT * FROM marts.outcome_stage_impact")}
    for want in truth.stage_impact:
        got = rows[want.stage]
        for field, column in (
            ("top_items", "top_quartile_items"),
            ("bottom_items", "bottom_quartile_items"),
            ("top_mean_stage_hours", "top_quartile_mean_stage_hours"),
            ("bottom_mean_stage_hours", "bottom_quartile_mean_stage_hours"),
            ("top_pct_of_lead_time", "top_quartile_pct_of_lead_time"),
            ("bottom_pct_of_lead_time", "bottom_quartile_pct_of_lead_time"),
            ("extra_hours_per_item", "extra_hours_per_item"),
            ("steal_rank", "steal_rank"),
        ):
            diff.check("stage", want.stage, field, got[column], getattr(want, field))
    diff.assert_none()


def test_the_summary_prints_the_roi_ranking_and_the_stages_that_steal_time(outcome_pipeline, capsys):
    print_summary(outcome_pipeline.settings)
    out = capsys.readouterr().out
    assert "Top 10 flow items by ROI per hour" in out
    assert "Stages that steal the most time yet deliver the least impact" in out
    for item in outcome_pipeline.truth.ranked()[:10]:
        assert f"  {item.roi_rank:>3}  {item.issue_key:<10}" in out
    worst = min(outcome_pipeline.truth.stage_impact, key=lambda s: s.steal_rank)
    assert f"Where low-ROI work loses time: {worst.stage}" in out
