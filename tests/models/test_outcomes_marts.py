"""Known answers for the outcome marts on a hand-made world, every figure worked out by hand.

as_of = 2026-08-01 00:00 UTC; var outcome_min_nps_responses = 3 (others at their defaults: release at
100 %, NPS window 30 days, 200 eligible user-days). acme/payments-service deploys to production
after every direct commit that names an item; LaunchDarkly project `acme` (source demo-launchdarkly);
product files of source demo-product, loaded by the real loader.

    item   lead  flow  deployed     flags (production)                               outcome data
    PAY-1  264h  240h  06-10 12:00  checkout-v2: on 06-11 12:00 (dark 24 h)          usage CSV, NPS, value
    PAY-2  384h  336h  06-16 12:00  bundle-search (weights 3:1 with PAY-3): 50 %     usage Parquet
    PAY-3  336h  312h  06-18 12:00    06-20, 20 % 06-21 (rollback), 100 % 06-23     (weight 1)
    PAY-4  336h  312h  06-23 12:00  search-web on 06-25; search-mobile on 06-28      usage JSONL (tiny)
    PAY-5  192h  168h  06-08 12:00  legacy-export (no jira.issues; mapping seed)     — (dark)
    PAY-6  192h  168h  06-22 12:00  none: released by its deployment                 feature_usage.csv
    PAY-7  open   —    —            none, never deployed                             feature_usage.csv
    MOB-1  336h  216h  —            moved-flag names its old key PAY-8; on 06-16     —
    PAY-9  120h   96h  06-05 12:00  rate-limits (no usage export): on 06-07          feature_usage.csv (flag)
"""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from extractors.common.raw_store import RawRecord, RawStore
from extractors.product_files.config import ProductFilesConfig
from extractors.product_files.load import load_product_files
from tests.support.dbt import copy_mappings, run_dbt

from .delivery_payloads import DeliveryFixture
from .jira_payloads import BACKLOG, DONE, IN_PROGRESS, JiraFixture, moved, query, status, z

pytestmark = pytest.mark.pipeline

VARS = {"as_of": "2026-08-01T00:00:00Z", "reporting_timezone": "UTC", "outcome_min_nps_responses": 3}
LD = "demo-launchdarkly"
REPO = "acme/payments-service"
SELECT = [
    "--select",
    "+path:models/marts/outcomes",
    "--exclude",
    "resource_type:unit_test",
    "--indirect-selection",
    "buildable",
]


def ms(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp() * 1000)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def approx(value):
    return pytest.approx(value, rel=1e-9, abs=1e-9)


# -- LaunchDarkly payloads -----------------------------------------------------------------------------
class Flag:
    """One boolean flag (variation 0 true, 1 false, off variation 1) and its audit-log entries."""

    def __init__(self, key: str, created: str, jira_keys: tuple[str, ...] = ()):
        self.key, self.jira_keys = key, jira_keys
        self.created = ms(created)
        self.entries: list[tuple[int, str, tuple[str, ...], dict[str, dict]]] = []
        self.state = {
            env: {"on": False, "fallthrough": {"variation": 0}} for env in ("production", "staging")
        }
        self.entries.append((self.created, "*", ("createFlag",), self.snapshot()))

    def snapshot(self) -> dict[str, dict]:
        return {env: dict(state) for env, state in self.state.items()}

    def change(
        self, when: str, env: str, *, on: bool | None = None, rollout: int | None = None, fixed: bool = False
    ) -> Flag:
        actions = []
        if on is not None:
            self.state[env]["on"] = on
            actions.append("updateOn")
        if rollout is not None:
            self.state[env]["fallthrough"] = {
                "rollout": {
                    "variations": [
                        {"variation": 0, "weight": rollout * 1000},
                        {"variation": 1, "weight": (100 - rollout) * 1000},
                    ]
                }
            }
            actions.append("updateFallthrough")
        if fixed:
            self.state[env]["fallthrough"] = {"variation": 0}
            actions.append("updateFallthrough")
        self.entries.append((ms(when), env, tuple(actions), self.snapshot()))
        return self

    def payload(self, version: int | None = None) -> dict:
        entries = self.entries if version is None else self.entries[: version + 1]
        last_at, _, _, states = entries[-1]
        environments = {
            env: {
                "_environmentName": env.capitalize(),
                "on": state["on"],
                "archived": False,
                "fallthrough": state["fallthrough"],
                "offVariation": 1,
                "targets": [],
                "rules": [],
                "prerequisites": [],
                "lastModified": max(a for a, e, _, _ in entries if e in (env, "*")),
                "version": sum(1 for _, e, _, _ in entries if e == env) + 1,
            }
            for env, state in states.items()
        }
        return {
            "key": self.key,
            "name": self.key.replace("-", " ").capitalize(),
            "kind": "boolean",
            "creationDate": self.created,
            "_version": len(entries),
            "tags": ["checkout"] if "checkout" in self.key else [],
            "temporary": True,
            "archived": False,
            "customProperties": (
                {"jira.issues": {"name": "Jira issues", "value": list(self.jira_keys)}}
                if self.jira_keys
                else {}
            ),
            "variations": [{"value": True}, {"value": False}],
            "environments": environments,
            "_maintainer": {"email": "dana@acme.example"},
            "_lastModified": last_at,
        }

    def audit(self) -> list[RawRecord]:
        records = []
        for n, (when, env, actions, states) in enumerate(self.entries):
            resource = f"proj/acme:env/{env}:flag/{self.key}"
            on = states["production" if env == "*" else env]["on"]
            verb = (
                "created the flag"
                if "createFlag" in actions
                else ("turned on the flag" if on else "turned off the flag")
                if "updateOn" in actions
                else "updated the flag's rollout"
            )
            entry = {
                "_id": f"{self.key}-{n:02d}",
                "date": when,
                "kind": "flag",
                "name": self.key,
                "titleVerb": verb,
                "description": f"- {verb}",
                "accesses": [{"action": a, "resource": resource} for a in actions],
                "target": {"name": self.key, "resources": [resource]},
                "member": {"email": "dana@acme.example"},
                "previousVersion": self.payload(n - 1) if n else None,
                "currentVersion": self.payload(n),
            }
            records.append(RawRecord(entry["_id"], entry, f"acme/{self.key}"))
        return records


def flags() -> list[Flag]:
    return [
        Flag("checkout-v2", "2026-06-05 09:00", ("PAY-1",))
        .change("2026-06-06 09:00", "staging", on=True)
        .change("2026-06-11 12:00", "production", on=True),
        Flag("bundle-search", "2026-06-04 09:00", ("PAY-2", "pay-3"))
        .change("2026-06-20 12:00", "production", on=True, rollout=50)
        .change("2026-06-21 12:00", "production", rollout=20)
        .change("2026-06-23 12:00", "production", fixed=True),
        Flag("search-web", "2026-06-12 09:00", ("PAY-4",)).change("2026-06-25 12:00", "production", on=True),
        Flag("search-mobile", "2026-06-12 10:00", ("PAY-4",)).change(
            "2026-06-28 12:00", "production", on=True
        ),
        Flag("legacy-export", "2026-06-03 09:00").change("2026-06-04 09:00", "staging", on=True),
        Flag("moved-flag", "2026-06-02 09:00", ("PAY-8",)).change("2026-06-16 12:00", "production", on=True),
        Flag("rate-limits", "2026-06-02 10:00", ("PAY-9",)).change("2026-06-07 12:00", "production", on=True),
    ]


# -- Jira and delivery ---------------------------------------------------------------------------------
def jira() -> JiraFixture:
    j = JiraFixture("demo-jira")
    done = {  # key: (id, created, in progress, done)
        "PAY-1": ("4001", "2026-06-01 00:00", "2026-06-02 00:00", "2026-06-12 00:00"),
        "PAY-2": ("4002", "2026-06-01 00:00", "2026-06-03 00:00", "2026-06-17 00:00"),
        "PAY-3": ("4003", "2026-06-05 00:00", "2026-06-06 00:00", "2026-06-19 00:00"),
        "PAY-4": ("4004", "2026-06-10 00:00", "2026-06-11 00:00", "2026-06-24 00:00"),
        "PAY-5": ("4005", "2026-06-01 00:00", "2026-06-02 00:00", "2026-06-09 00:00"),
        "PAY-6": ("4006", "2026-06-15 00:00", "2026-06-16 00:00", "2026-06-23 00:00"),
        "PAY-9": ("4009", "2026-06-01 00:00", "2026-06-02 00:00", "2026-06-06 00:00"),
    }
    for key, (issue_id, created, started, finished) in done.items():
        j.issue(issue_id, key, z(created), DONE)
        j.history(issue_id, z(started), status(BACKLOG, IN_PROGRESS))
        j.history(issue_id, z(finished), status(IN_PROGRESS, DONE))
    j.issue("4007", "PAY-7", z("2026-06-20 00:00"), IN_PROGRESS)
    j.history("4007", z("2026-06-21 00:00"), status(BACKLOG, IN_PROGRESS))
    j.issue("4008", "MOB-1", z("2026-06-01 00:00"), DONE, project=("10001", "MOB"))
    j.history("4008", z("2026-06-05 00:00"), *moved("PAY-8", "MOB-1", ("10000", "PAY"), ("10001", "MOB")))
    j.history("4008", z("2026-06-06 00:00"), status(BACKLOG, IN_PROGRESS))
    j.history("4008", z("2026-06-15 00:00"), status(IN_PROGRESS, DONE))
    return j


def delivery() -> DeliveryFixture:
    f = DeliveryFixture()
    repo = f.repo(REPO, "demo-git-payments")
    repo.commit("m0", [], "2026-06-01 09:00", "Initial commit")
    previous = "m0"
    for label, when, message, deployed in (
        ("c9", "2026-06-04 10:00", "PAY-9 rate limits", "2026-06-05 12:00"),
        ("c5", "2026-06-07 10:00", "PAY-5 export", "2026-06-08 12:00"),
        ("c1", "2026-06-08 10:00", "PAY-1 checkout", "2026-06-10 12:00"),
        ("c2", "2026-06-15 10:00", "PAY-2 search", "2026-06-16 12:00"),
        ("c3", "2026-06-17 10:00", "PAY-3 filters", "2026-06-18 12:00"),
        ("c6", "2026-06-21 10:00", "PAY-6 limits", "2026-06-22 12:00"),
        ("c4", "2026-06-22 10:00", "PAY-4 search on the web", "2026-06-23 12:00"),
    ):
        repo.commit(label, [previous], when, message)
        f.deployment(REPO, label, "production", deployed, [("success", deployed)])
        previous = label
    repo.ref("refs/heads/main", previous)
    return f


# -- product files -------------------------------------------------------------------------------------
USAGE_CSV = [("2026-06-11", "checkout-v2", 50, 5)] + [
    (f"2026-06-{d:02d}", "checkout-v2", 100, 10 * (d - 11)) for d in range(12, 21)
]
USAGE_PARQUET = [("2026-06-21", 40, 4), ("2026-06-22", 20, 2), ("2026-06-23", 40, 8)] + [
    (f"2026-06-{d:02d}", 50, 10) for d in range(24, 31)
]
NPS = [  # response id, when, score, flag
    ("R1", "2026-05-20T10:00:00Z", 10, ""),
    ("R2", "2026-05-25T10:00:00Z", 9, ""),
    ("R3", "2026-06-01T10:00:00Z", 5, ""),
    ("R4", "2026-06-05T10:00:00Z", 7, ""),
    ("R5", "2026-06-12T10:00:00Z", 10, "checkout-v2"),
    ("R6", "2026-06-13T10:00:00Z", 9, "checkout-v2"),
    ("R7", "2026-06-14T10:00:00Z", 10, "checkout-v2"),
    ("R8", "2026-06-15T10:00:00Z", 3, "checkout-v2"),
    ("R9", "2026-06-16T10:00:00Z", 8, ""),
    ("R10", "2026-06-17T10:00:00Z", 2, "bundle-search"),
    ("R11", "2026-06-25T10:00:00Z", 9, "bundle-search"),
    ("R12", "2026-06-26T10:00:00Z", 10, "bundle-search"),
    ("R13", "2026-07-02T10:00:00Z", 6, ""),
    ("R14", "2026-08-02T10:00:00Z", 0, "checkout-v2"),  # after as_of
]


def write_files(root: Path) -> ProductFilesConfig:
    usage = root / "usage"
    usage.mkdir(parents=True)
    with (usage / "2026-06-checkout.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["date", "feature_key", "eligible_active_users", "users_who_used"])
        writer.writerows(USAGE_CSV)
    pq.write_table(
        pa.table(
            {
                "date": pa.array(
                    [datetime.fromisoformat(d).date() for d, _, _ in USAGE_PARQUET], pa.date32()
                ),
                "feature_key": ["bundle-search"] * len(USAGE_PARQUET),
                "eligible_active_users": pa.array([e for _, e, _ in USAGE_PARQUET], pa.int64()),
                "users_who_used": pa.array([u for _, _, u in USAGE_PARQUET], pa.int64()),
            }
        ),
        usage / "2026-06-bundle.parquet",
    )
    (usage / "2026-06-search.jsonl").write_text(
        "".join(
            f'{{"date": "{d}", "flag_key": "{k}", "eligible_active_users": {e}, "users_who_used": {u}}}\n'
            for d, k, e, u in [
                ("2026-06-26", "search-web", 100, 25),
                ("2026-06-27", "search-web", 100, 35),
                ("2026-06-29", "search-mobile", 3, 1),
                ("2026-06-30", "search-mobile", 3, 1),
                ("2026-07-01", "search-mobile", 3, 1),
            ]
        )
    )
    (root / "nps.csv").write_text(
        "response_id,respondent_id,score,submitted_at,flag_key\n"
        + "".join(f"{r},u{n},{s},{when},{flag}\n" for n, (r, when, s, flag) in enumerate(NPS))
    )
    (root / "declared.csv").write_text(
        "issue_key,value_usd,cost_of_delay_usd_per_week,credit_weight\n"
        "PAY-1,12000,1680,\nPAY-2,30000,2100,3\npay-3,,,1\n"
    )
    (root / "feature_usage.csv").write_text(
        "key,adoption_pct,nps_gain\nPAY-6,12.5,3\npay-7,40,1\nrate-limits,8,-2\nNOPE-1,50,5\n"
    )
    return ProductFilesConfig(
        name="demo-product",
        usage=usage,
        nps=root / "nps.csv",
        declared_values=root / "declared.csv",
        feature_usage=root / "feature_usage.csv",
    )


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    work = tmp_path_factory.mktemp("outcome_marts")
    path = work / "warehouse.duckdb"
    con = duckdb.connect(str(path))
    try:
        jira().land(con)
        delivery().land(con)
        store = RawStore(con)
        batch = store.start_batch(LD, "launchdarkly")
        all_flags = flags()
        store.stage(
            "launchdarkly_flags",
            LD,
            [RawRecord(f"acme/{f.key}", f.payload(), "acme") for f in all_flags],
            request="GET /api/v2/flags/acme",
            batch_id=batch,
        )
        store.stage(
            "launchdarkly_audit_log",
            LD,
            [r for f in all_flags for r in f.audit()],
            request="GET /api/v2/auditlog/<id>",
            batch_id=batch,
        )
        store.checkpoint()
        load_product_files(store, write_files(work / "files"))
    finally:
        con.close()
    mappings = copy_mappings(work / "mappings")
    (mappings / "flag_issue_links.csv").write_text(
        "source,flag_key,issue_key,description\n"
        f"{LD},legacy-export,pay-5,created before the Jira integration\n"
        "*,moved-flag,MOB-1,also on the flag itself: the custom property wins\n"
        f"{LD},no-such-flag,PAY-1,names nothing\n"
        "another-launchdarkly,rate-limits,PAY-6,another connection's flag\n"
    )
    result = run_dbt(path, ["build", *SELECT], vars=VARS, mappings_dir=mappings, work_dir=work)
    assert result.ok, "\n".join(result.failures()) + "\n" + result.output[-6000:]
    return {"path": path, "mappings": mappings, "work": work}


def table(world, name: str, key: str) -> dict:
    return {row[key]: row for row in query(world["path"], f"select * from marts.{name}")}


# -- feature_releases -----------------------------------------------------------------------------------
def test_releases_rollbacks_and_dark_flags(world):
    rows = {
        (r["flag_key"], r["environment_key"]): r
        for r in query(world["path"], "select * from marts.feature_releases")
    }
    assert len(rows) == 14  # 7 flags × 2 environments
    checkout = rows[("checkout-v2", "production")]
    assert checkout["released_at"] == at("2026-06-11 12:00") == checkout["first_on_at"]
    assert (checkout["release_count"], checkout["rollback_count"], checkout["current_serving_pct"]) == (
        1,
        0,
        100.0,
    )
    assert rows[("checkout-v2", "staging")]["released_at"] == at("2026-06-06 09:00")
    bundle = rows[("bundle-search", "production")]
    assert bundle["first_on_at"] == at("2026-06-20 12:00") and bundle["released_at"] == at("2026-06-23 12:00")
    assert bundle["first_rollback_at"] == at("2026-06-21 12:00") and bundle["rollback_count"] == 1
    assert (
        not bundle["is_rolled_back"] and bundle["recorded_states"] == 4 and bundle["linked_flow_items"] == 2
    )
    dark = rows[("legacy-export", "production")]
    assert dark["released_at"] is None and dark["first_on_at"] is None and not dark["current_is_on"]
    assert dark["current_serving_pct"] == 0.0 and dark["flag_created_at"] == at("2026-06-03 09:00")
    assert rows[("legacy-export", "staging")]["released_at"] == at("2026-06-04 09:00")
    assert all(r["is_release_environment"] == (env == "production") for (_, env), r in rows.items())


# -- links and credit -----------------------------------------------------------------------------------
def test_links_by_custom_property_seed_and_old_keys_with_credit(world):
    links = {
        (r["issue_key"], r["flag_key"]): r
        for r in query(world["path"], "select * from marts.flow_item_flags")
    }
    assert set(links) == {
        ("PAY-1", "checkout-v2"),
        ("PAY-2", "bundle-search"),
        ("PAY-3", "bundle-search"),
        ("PAY-4", "search-web"),
        ("PAY-4", "search-mobile"),
        ("PAY-5", "legacy-export"),
        ("MOB-1", "moved-flag"),
        ("PAY-9", "rate-limits"),
    }
    assert links[("PAY-2", "bundle-search")]["credit_share"] == approx(0.75)
    assert links[("PAY-3", "bundle-search")]["credit_share"] == approx(0.25)
    assert {links[(k, "bundle-search")]["credit_method"] for k in ("PAY-2", "PAY-3")} == {"declared_weight"}
    assert links[("PAY-3", "bundle-search")]["matched_key"] == "PAY-3"  # `pay-3` on the flag
    assert links[("PAY-5", "legacy-export")]["link_source"] == "mapping_seed"
    assert links[("MOB-1", "moved-flag")]["link_source"] == "custom_property"
    assert links[("MOB-1", "moved-flag")]["matched_key"] == "PAY-8"
    assert all(links[(k, f)]["credit_method"] == "sole" for k, f in links if f != "bundle-search")


# -- adoption ------------------------------------------------------------------------------------------
def test_daily_adoption_and_the_7_and_30_day_windows(world):
    days = {
        (r["feature_key"], r["usage_date"].isoformat()): r
        for r in query(world["path"], "select * from marts.feature_adoption")
    }
    assert len(days) == len(USAGE_CSV) + len(USAGE_PARQUET) + 5
    release_day = days[("checkout-v2", "2026-06-11")]
    assert release_day["days_since_release"] == 0 and not release_day["is_after_release"]
    assert release_day["adoption_pct"] == approx(10.0) and release_day["landed_from"].endswith("line 2")
    first = days[("checkout-v2", "2026-06-12")]
    assert first["days_since_release"] == 1 and first["adoption_pct"] == approx(10.0)
    # 7 days: 06-12 … 06-18, Σ used 10+…+70 = 280 of 700; 30 days: the 9 days there are, 450 of 900
    assert (
        first["adoption_7d_pct"],
        first["adoption_7d_eligible_user_days"],
        first["adoption_7d_days_observed"],
    ) == (approx(40.0), 700, 7)
    assert (
        first["adoption_30d_pct"],
        first["adoption_30d_eligible_user_days"],
        first["adoption_30d_days_observed"],
    ) == (approx(50.0), 900, 9)
    bundle = days[("bundle-search", "2026-06-21")]  # during the partial rollout, before the release
    assert bundle["days_since_release"] == -2 and bundle["adoption_30d_pct"] == approx(20.0)
    assert bundle["adoption_7d_eligible_user_days"] == 350 and not bundle["adoption_7d_is_small_sample"]
    web, mobile = days[("search-web", "2026-06-26")], days[("search-mobile", "2026-06-29")]
    assert web["adoption_30d_pct"] == approx(30.0) and not web["adoption_30d_is_small_sample"]  # n = 200
    assert mobile["adoption_30d_pct"] == approx(100 / 3) and mobile["adoption_30d_is_small_sample"]  # n = 9


# -- NPS -----------------------------------------------------------------------------------------------
def test_nps_overall_and_per_feature_with_standard_errors(world):
    rows = table(world, "nps", "nps_row_id")
    overall = rows["overall:*"]
    # R1–R13 (R14 came after as_of): 7 promoters, 4 detractors
    assert (overall["n"], overall["promoters"], overall["detractors"]) == (13, 7, 4)
    assert overall["nps"] == approx(300 / 13) and overall["is_small_sample"] is False
    checkout = rows["feature:checkout-v2"]
    assert (checkout["n"], checkout["promoters"], checkout["detractors"], checkout["nps"]) == (
        4,
        3,
        1,
        approx(50.0),
    )
    assert checkout["nps_se"] == approx(100 * (0.1875**0.5))
    assert (checkout["before_n"], checkout["before_nps"]) == (4, approx(25.0))
    assert checkout["before_nps_se"] == approx(100 * (0.6875 / 4) ** 0.5)
    assert (checkout["control_n"], checkout["control_nps"], checkout["control_nps_se"]) == (
        5,
        approx(0.0),
        approx(40.0),
    )
    assert checkout["nps_delta"] == approx(25.0) and checkout["nps_delta_vs_control"] == approx(50.0)
    assert checkout["nps_delta_se"] == approx((1875 + 1718.75) ** 0.5)
    assert checkout["is_small_sample"] is False and checkout["window_days"] == 30
    bundle = rows["feature:bundle-search"]
    assert (bundle["n"], bundle["nps"], bundle["before_n"], bundle["before_nps"]) == (
        2,
        approx(100.0),
        9,
        approx(100 / 9),
    )
    assert bundle["is_small_sample"] is True  # two exposed answers
    dark = rows["feature:legacy-export"]
    assert dark["release_at"] is None and dark["n"] == 0 and dark["nps"] is None and dark["is_small_sample"]


# -- feature_outcomes ----------------------------------------------------------------------------------
def test_an_item_behind_a_flag_gets_its_value_from_the_release(world):
    items = table(world, "feature_outcomes", "issue_key")
    pay1 = items["PAY-1"]
    assert (pay1["release_source"], pay1["released_at"], pay1["first_deployed_at"]) == (
        "flag",
        at("2026-06-11 12:00"),
        at("2026-06-10 12:00"),
    )
    assert pay1["deploy_to_release_hours"] == approx(24.0) and pay1["time_to_value_hours"] == approx(228.0)
    assert (pay1["adoption_pct"], pay1["credited_adoption_points"], pay1["adoption_source"]) == (
        approx(50.0),
        approx(50.0),
        "usage_export",
    )
    assert pay1["adoption_eligible_user_days"] == 900 and pay1["nps_delta"] == approx(25.0)
    assert pay1["roi_per_hour"] == approx(50 / 264) and pay1["roi_rank"] == 1
    assert pay1["value_per_active_hour_usd"] == approx(12000 / 240)
    assert pay1["delay_cost_incurred_usd"] == approx(2400.0) and pay1["cd3_usd_per_week_per_week"] == approx(
        1176.0
    )
    assert (
        pay1["credit_method"] == "sole"
        and pay1["credit_share"] == approx(1.0)
        and not pay1["is_small_sample"]
    )


def test_a_flag_serving_two_items_shares_its_adoption_by_declared_weight(world):
    items = table(world, "feature_outcomes", "issue_key")
    pay2, pay3 = items["PAY-2"], items["PAY-3"]
    assert pay2["released_at"] == pay3["released_at"] == at("2026-06-23 12:00")
    assert pay2["has_rollback"] and pay2["adoption_pct"] == approx(20.0) == pay3["adoption_pct"]
    assert pay2["credited_adoption_points"] == approx(15.0) and pay3["credited_adoption_points"] == approx(
        5.0
    )
    assert pay2["roi_per_hour"] == approx(15 / 384) and pay3["roi_per_hour"] == approx(5 / 336)
    assert (
        pay2["nps_delta"] == approx(100 - 100 / 9) and pay2["nps_is_small_sample"] and pay2["is_small_sample"]
    )
    assert pay2["roi_rank"] == 4  # a small NPS sample does not unrank: the ROI rests on adoption
    assert pay2["value_per_active_hour_usd"] == approx(30000 / 336) and pay2[
        "delay_cost_incurred_usd"
    ] == approx(4200.0)
    assert pay3["declared_value_usd"] is None and pay3["cost_of_delay_usd_per_week"] is None


def test_an_item_with_two_flags_and_a_tiny_sample_is_flagged_not_ranked(world):
    pay4 = table(world, "feature_outcomes", "issue_key")["PAY-4"]
    assert pay4["flag_count"] == 2 and pay4["flag_keys"] == "search-mobile, search-web"
    assert pay4["released_at"] == at("2026-06-25 12:00")  # the first of its flags
    assert pay4["adoption_pct"] == approx((30 + 100 / 3) / 2)
    assert pay4["credited_adoption_points"] == approx(30 + 100 / 3)
    assert pay4["adoption_eligible_user_days"] == 209
    assert pay4["adoption_is_small_sample"] and pay4["is_small_sample"]
    assert pay4["roi_per_hour"] == approx((30 + 100 / 3) / 336) and pay4["roi_rank"] is None
    assert pay4["nps_delta"] is None  # no survey answer names either flag


def test_dark_unflagged_moved_and_hand_measured_items(world):
    items = table(world, "feature_outcomes", "issue_key")
    dark = items["PAY-5"]
    assert dark["is_deployed_dark"] and dark["released_at"] is None and dark["release_source"] == "flag"
    assert (
        dark["adoption_pct"] is None and dark["roi_per_hour"] is None and dark["time_to_value_hours"] is None
    )
    unflagged = items["PAY-6"]
    assert (unflagged["release_source"], unflagged["released_at"]) == ("deployment", at("2026-06-22 12:00"))
    assert (unflagged["adoption_pct"], unflagged["adoption_source"], unflagged["nps_delta"]) == (
        approx(12.5),
        "feature_usage_csv",
        approx(3.0),
    )
    assert unflagged["roi_per_hour"] == approx(12.5 / 192) and unflagged["roi_rank"] == 3
    assert unflagged["time_to_value_hours"] == approx(156.0) and unflagged["flag_count"] == 0
    never = items["PAY-7"]
    assert (
        never["released_at"] is None and never["adoption_pct"] is None
    )  # its hand-built row waits for a release
    moved_item = items["MOB-1"]
    assert moved_item["released_at"] == at("2026-06-16 12:00") and moved_item["first_deployed_at"] is None
    assert moved_item["adoption_pct"] is None and moved_item["roi_per_hour"] is None
    backend = items["PAY-9"]
    assert (
        backend["adoption_pct"],
        backend["adoption_source"],
        backend["nps_delta"],
        backend["nps_source"],
    ) == (approx(8.0), "feature_usage_csv", approx(-2.0), "feature_usage_csv")
    assert backend["roi_per_hour"] == approx(8 / 120) and backend["roi_rank"] == 2


def test_ranking_quartiles_and_the_stages_that_steal_time(world):
    items = table(world, "feature_outcomes", "issue_key")
    ranked = sorted((r["roi_rank"], k, r["roi_quartile"]) for k, r in items.items() if r["roi_rank"])
    assert ranked == [(1, "PAY-1", 1), (2, "PAY-9", 1), (3, "PAY-6", 2), (4, "PAY-2", 3), (5, "PAY-3", 4)]
    stages = table(world, "outcome_stage_impact", "stage")
    dev = stages["Dev"]
    assert (dev["top_quartile_items"], dev["bottom_quartile_items"]) == (2, 1)
    assert dev["top_quartile_mean_stage_hours"] == approx((240 + 96) / 2)
    assert dev["bottom_quartile_mean_stage_hours"] == approx(312.0) and dev["extra_hours_per_item"] == approx(
        144.0
    )
    assert dev["top_quartile_pct_of_lead_time"] == approx(100 * 336 / 384)
    assert dev["bottom_quartile_pct_of_lead_time"] == approx(100 * 312 / 336)
    assert dev["steal_rank"] == 1
    assert [stages[s]["steal_rank"] for s in ("Discovery", "Review", "Deploy", "Feedback")] == [2, 3, 4, 5]
    assert stages["Review"]["top_quartile_mean_stage_hours"] == approx(0.0)  # not visited counts 0


# -- the release share var (last: it rebuilds feature_releases) ------------------------------------------
def test_a_lower_release_share_releases_a_partial_rollout(world):
    """Run last in the module: it rebuilds the release models with var outcome_release_share_pct 20."""
    result = run_dbt(
        world["path"],
        ["run", "--select", "int_flag_environment_states_reconstructed", "feature_releases"],
        vars={**VARS, "outcome_release_share_pct": 20},
        mappings_dir=world["mappings"],
        work_dir=world["work"] / "share20",
    )
    assert result.ok, result.output[-4000:]
    (bundle,) = query(
        world["path"],
        "select * from marts.feature_releases "
        "where flag_key = 'bundle-search' and environment_key = 'production'",
    )
    assert bundle["released_at"] == at("2026-06-20 12:00")  # 50 % ≥ 20 %
    assert bundle["release_share_pct"] == 20.0 and bundle["release_count"] == 1
    assert bundle["rollback_count"] == 1 and not bundle["is_rolled_back"]  # 50 → 20 % is still a rollback
