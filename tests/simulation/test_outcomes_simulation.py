"""The simulated outcome side: flags consistent with the items and their deployments (deploy ≠ release),
every planted scenario at 120 items, the LaunchDarkly wire format (paging, auth, 429, audit log with
before/after snapshots), the exported files, and the mapping seed the warehouse ships."""

from __future__ import annotations

import csv
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import httpx
import pyarrow.parquet as pq
import pytest

from extractors.common.http import ApiClient, RetryPolicy
from extractors.common.paging import iter_next_link_pages
from extractors.simulation import FaultPlan, OrgConfig, SimulatedApis, SimulatedOrganisation
from extractors.simulation.outcomes.model import PRODUCTION, STAGING
from extractors.simulation.outcomes.truth import ntile
from extractors.simulation.timeutil import DAY_MS, to_ms

AUTH = {"Authorization": "demo-launchdarkly-token"}
SEEDS = Path(__file__).resolve().parents[2] / "dbt_project" / "seeds" / "mappings"
SCENARIOS = (
    "rollback_off",
    "rollback_reduced",
    "dark",
    "partial",
    "shared_weighted",
    "shared_even",
    "two_flags",
    "seed_linked",
    "tiny_usage",
    "backend_csv",
    "moved_key",
)


def ld(apis: SimulatedApis, **options) -> ApiClient:
    return ApiClient(
        "demo-launchdarkly",
        apis.base_url("launchdarkly"),
        transport=apis.transport(),
        headers=AUTH,
        **options,
    )


@pytest.fixture(scope="module")
def truth(small_org):
    return small_org.outcome_truth()


@pytest.fixture(scope="module")
def deployed(small_org):
    return {i: d.first_deployed_at for i, d in small_org.delivery_truth().items.items()}


def test_every_planted_scenario_is_there_at_120_items(small_org, truth):
    assert set(SCENARIOS) <= set(truth.scenarios), sorted(set(SCENARIOS) - set(truth.scenarios))
    flags = {f.key: f for f in small_org.outcomes.flags}
    (shared,) = truth.scenarios["shared_weighted"]
    assert len(flags[shared].issue_ids) == 2
    assert {link.credit_method for link in truth.links.values() if link.flag_key == shared} == {
        "declared_weight"
    }
    assert sorted(link.credit_share for link in truth.links.values() if link.flag_key == shared) == [
        0.25,
        0.75,
    ]
    (even,) = truth.scenarios["shared_even"]
    assert [link.credit_share for link in truth.links.values() if link.flag_key == even] == [
        pytest.approx(1 / 3)
    ] * 3
    two = truth.scenarios["two_flags"]
    assert len(two) == 2 and flags[two[0]].issue_ids == flags[two[1]].issue_ids
    (seed_flag,) = truth.scenarios["seed_linked"]
    assert flags[seed_flag].jira_keys == () and small_org.outcomes.seed_links[0][0] == seed_flag
    (moved,) = truth.scenarios["moved_key"]
    link = next(v for v in truth.links.values() if v.flag_key == moved)
    assert link.matched_key == flags[moved].jira_keys[0] != truth.items[link.flow_item_id].issue_key
    # items without a flag, some of them measured by hand in feature_usage.csv
    no_flag = [i for i in truth.items.values() if not i.flag_keys and i.released_at is not None]
    assert no_flag and any(i.adoption_source == "feature_usage_csv" for i in no_flag)


def test_a_flag_changes_production_only_after_every_item_it_serves_was_deployed(small_org, deployed):
    for flag in small_org.outcomes.flags:
        first = max(deployed[i] for i in flag.issue_ids)
        production = [c for c in flag.changes if c.environment == PRODUCTION]
        assert all(c.at_ms > to_ms(first) for c in production), flag.key
        assert flag.created_ms < to_ms(first), flag.key  # created before it shipped
        assert [c.at_ms for c in flag.changes] == sorted(c.at_ms for c in flag.changes)


def test_rollbacks_dark_and_partial_launches_read_as_the_truth_says(truth):
    off = truth.releases[(truth.scenarios["rollback_off"][0], PRODUCTION)]
    assert off.rollback_count == 1 and off.release_count == 2 and off.released_at < off.first_rollback_at
    reduced = truth.releases[(truth.scenarios["rollback_reduced"][0], PRODUCTION)]
    assert reduced.rollback_count == 1 and reduced.first_rollback_at < reduced.released_at
    dark = truth.releases[(truth.scenarios["dark"][0], PRODUCTION)]
    assert dark.first_on_at is None and dark.released_at is None and not dark.current_is_on
    dark_item = next(i for i in truth.items.values() if truth.scenarios["dark"][0] in i.flag_keys)
    assert dark_item.is_deployed_dark and dark_item.adoption_pct is None and dark_item.roi_per_hour is None
    partial = truth.releases[(truth.scenarios["partial"][0], PRODUCTION)]
    assert partial.released_at is None and partial.current_serving_pct == 50.0
    assert truth.releases[(truth.scenarios["partial"][0], STAGING)].released_at is not None


def test_tiny_samples_are_flagged_and_left_out_of_the_ranking(truth):
    (tiny,) = truth.scenarios["tiny_usage"]
    window = truth.windows[(tiny, 30)]
    assert window.is_small_sample and window.eligible_user_days < 200
    item = next(i for i in truth.items.values() if tiny in i.flag_keys)
    assert item.adoption_is_small_sample and item.is_small_sample and item.roi_rank is None
    assert item.roi_per_hour is not None  # reported, flagged, not ranked
    ranks = [i.roi_rank for i in truth.ranked()]
    assert ranks == list(range(1, len(ranks) + 1))


def test_ntile_matches_duckdb():
    con = duckdb.connect()
    for n in range(0, 12):
        rows = con.execute(f"SELECT ntile(4) OVER (ORDER BY i) FROM range({n}) t(i) ORDER BY i").fetchall()
        assert [r[0] for r in rows] == ntile(n, 4)


def test_generation_is_deterministic():
    a = SimulatedOrganisation.generate(OrgConfig(flow_items=120)).outcomes
    b = SimulatedOrganisation.generate(OrgConfig(flow_items=120)).outcomes
    assert [(f.key, [(c.entry_id, c.at_ms, c.state) for c in f.changes]) for f in a.flags] == [
        (f.key, [(c.entry_id, c.at_ms, c.state) for c in f.changes]) for f in b.flags
    ]
    assert (a.nps.score == b.nps.score).all() and a.declared_values == b.declared_values


# -- LaunchDarkly wire format ------------------------------------------------------------------------
def test_flags_page_with_links_next_and_carry_the_jira_issues(small_org):
    apis = SimulatedApis(small_org)
    with ld(apis) as api:
        pages = list(iter_next_link_pages(api, "/api/v2/flags/acme", {"limit": 7, "summary": 0}))
    flags = [f for _, page in pages for f in page["items"]]
    assert len(pages) == -(-pages[0][1]["totalCount"] // 7) and len(flags) == pages[0][1]["totalCount"]
    assert pages[0][1]["_links"]["next"]["href"].startswith("/api/v2/flags/acme?")
    visible = {f.key for f in small_org.outcomes.flags_at(small_org.clock_ms)}
    assert {f["key"] for f in flags} == visible
    sample = next(f for f in flags if f["customProperties"])
    assert sample["customProperties"]["jira.issues"]["name"] == "Jira issues"
    prod = sample["environments"]["production"]
    assert {"on", "fallthrough", "offVariation", "lastModified", "version", "targets", "rules"} <= set(prod)
    with ld(apis) as api:
        summary = api.get_json("/api/v2/flags/acme", {"limit": 1})["items"][0]["environments"]["production"]
    assert "rules" not in summary and "fallthrough" in summary  # summary=true (default) drops targeting


def test_rollout_weights_say_the_serving_share(small_org):
    (key,) = small_org.outcome_truth().scenarios["partial"]
    with ld(SimulatedApis(small_org)) as api:
        flag = api.get_json(f"/api/v2/flags/acme/{key}")
    rollout = flag["environments"]["production"]["fallthrough"]["rollout"]["variations"]
    assert rollout == [{"variation": 0, "weight": 50000}, {"variation": 1, "weight": 50000}]


def test_the_audit_log_pages_newest_first_by_before_and_details_carry_snapshots(small_org):
    apis = SimulatedApis(small_org)
    with ld(apis) as api:
        pages = list(
            iter_next_link_pages(api, "/api/v2/auditlog", {"limit": 20, "spec": "proj/acme:env/*:flag/*"})
        )
        entries = [e for _, page in pages for e in page["items"]]
        dates = [e["date"] for e in entries]
        assert dates == sorted(dates, reverse=True) and len(set(dates)) == len(dates)
        assert len(entries) == len(small_org.outcomes.entries_until(small_org.clock_ms))
        assert "before=" in pages[0][1]["_links"]["next"]["href"]
        turned_on = next(e for e in entries if e["titleVerb"] == "turned on the flag")
        assert turned_on["target"]["resources"][0].startswith("proj/acme:env/")
        assert "previousVersion" not in turned_on  # the listing has no snapshots
        detail = api.get_json(f"/api/v2/auditlog/{turned_on['_id']}")
        env = turned_on["target"]["resources"][0].split(":")[1].split("/")[1]
        assert detail["currentVersion"]["environments"][env]["on"] is True
        assert detail["previousVersion"]["environments"][env]["on"] is False
        after = api.get_json("/api/v2/auditlog", {"limit": 20, "after": dates[5]})["items"]
        assert [e["date"] for e in after] == dates[:5]  # `after` is exclusive
        with pytest.raises(Exception, match="HTTP 400"):
            api.get_json("/api/v2/auditlog", {"limit": 50})


def test_the_token_is_the_raw_authorization_header(small_org):
    apis = SimulatedApis(small_org)
    with httpx.Client(base_url=apis.base_url("launchdarkly"), transport=apis.transport()) as raw:
        assert (
            raw.get(
                "/api/v2/flags/acme", headers={"Authorization": "Bearer demo-launchdarkly-token"}
            ).status_code
            == 401
        )
        assert raw.get("/api/v2/flags/acme", headers=AUTH).status_code == 200
        assert raw.get("/api/v2/flags/nope", headers=AUTH).status_code == 404


def test_429_says_when_to_come_back(small_org):
    now = time.time()
    apis = SimulatedApis(
        small_org,
        faults={"launchdarkly": FaultPlan(rate_limit_every=2, retry_after_seconds=3)},
        wall_clock=lambda: now,
    )
    waits: list[float] = []
    with ld(apis, sleep=waits.append, clock=lambda: now, retry=RetryPolicy(max_attempts=3)) as api:
        with httpx.Client(base_url=apis.base_url("launchdarkly"), transport=apis.transport()) as raw:
            raw.get("/api/v2/flags/acme", headers=AUTH)  # request 1
            limited = raw.get("/api/v2/flags/acme", headers=AUTH)  # request 2: throttled
        assert limited.status_code == 429 and limited.headers["retry-after"] == "3"
        assert int(limited.headers["x-ratelimit-reset"]) == int((now + 3) * 1000)
        api.get_json("/api/v2/flags/acme")  # request 3 passes, 4 throttled then retried as 5
        api.get_json("/api/v2/flags/acme")
    assert waits == [3.0]


# -- files --------------------------------------------------------------------------------------------
def test_outcome_files_in_every_format_match_the_model(small_org, tmp_path):
    paths = small_org.write_outcome_files(tmp_path)
    assert set(paths) == {"usage", "nps", "declared_values", "feature_usage"}
    kinds = {p.suffix for p in paths["usage"].iterdir()}
    assert kinds == {".csv", ".parquet", ".jsonl"}
    parquet = next(p for p in paths["usage"].iterdir() if p.suffix == ".parquet")
    assert pq.read_schema(parquet).names == ["date", "feature_key", "eligible_active_users", "users_who_used"]
    con = duckdb.connect()
    total = sum(
        con.execute(
            f"SELECT count(*) FROM read_csv('{p}')"
            if p.suffix == ".csv"
            else f"SELECT count(*) FROM read_parquet('{p}')"
            if p.suffix == ".parquet"
            else f"SELECT count(*) FROM read_json('{p}', format='newline_delimited')"
        ).fetchall()[0][0]
        for p in paths["usage"].iterdir()
    )
    assert total == len(small_org.outcome_truth().usage)
    with (paths["nps"] / "nps-responses.csv").open() as handle:
        responses = list(csv.DictReader(handle))
    assert len(responses) == small_org.outcome_truth().nps_overall.exposed.n
    assert all(0 <= int(r["score"]) <= 10 for r in responses)
    before = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*") if p.is_file()}
    small_org.write_outcome_files(tmp_path)  # unchanged content: files left alone
    assert {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*") if p.is_file()} == before


def test_an_earlier_clock_exports_complete_days_only(tmp_path):
    org = SimulatedOrganisation.generate(OrgConfig(flow_items=120))
    moment = datetime(2026, 8, 15, 13, 30, tzinfo=UTC)
    paths = org.write_outcome_files(tmp_path, as_of=moment)
    last = max(
        duckdb.connect().execute(f"SELECT max(date) FROM read_csv('{p}')").fetchall()[0][0]
        for p in paths["usage"].iterdir()
        if p.suffix == ".csv"
    )
    assert last <= (moment - timedelta(days=1)).date()
    assert all(
        c.at_ms // DAY_MS <= to_ms(moment) // DAY_MS for _, c in org.outcomes.entries_until(to_ms(moment))
    )


def test_the_shipped_mapping_seed_is_the_default_organisations(default_org):
    with (SEEDS / "flag_issue_links.csv").open(newline="") as handle:
        shipped = [{k: v for k, v in row.items()} for row in csv.DictReader(handle)]
    assert shipped == default_org.flag_issue_link_rows()


def test_a_lower_release_share_releases_the_partial_rollout(small_org, truth):
    from extractors.simulation import OutcomeSettings

    (partial,) = truth.scenarios["partial"]
    half = small_org.outcome_truth(settings=OutcomeSettings(release_share_pct=50))
    release = half.releases[(partial, PRODUCTION)]
    assert release.released_at == release.first_on_at is not None and release.release_count == 1
    item = next(i for i in half.items.values() if partial in i.flag_keys)
    assert item.released_at == release.released_at and not item.is_deployed_dark
