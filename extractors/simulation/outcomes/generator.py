"""Generating the outcome side from the Jira site and the delivery side, deterministically.

Candidates are flow items (story level) that reached production: their first production deployment
(:class:`~extractors.simulation.delivery.truth.TrueDeliveryItem`, at the period's end) is where a
flag's production history may start — deploy ≠ release, so every production change of a flag comes
*after* the first deployment of every item it serves (a dark launch of some length).

Planted scenarios (each at any size with enough deployed items), then natural flags for part of the
remaining candidates:

* ``rollback_off`` — released at 100 %, turned off hours later, turned on again days later;
* ``rollback_reduced`` — a 50 % rollout reduced to 10 %, later released at 100 %;
* ``dark`` — deployed, the flag never turned on in production (no release, no value);
* ``partial`` — stuck at a 50 % rollout (released only under a lower share threshold);
* ``shared_weighted`` — one flag serving two items whose declared credit weights are 3 and 1;
* ``shared_even`` — one flag serving three items, only one of which declares a weight (even split);
* ``two_flags`` — an item with a second flag (``…-mobile``), released later;
* ``seed_linked`` — a flag without the Jira custom property, linked by the mapping seed;
* ``tiny_usage`` — an internal feature with a handful of eligible users a day (and few NPS answers);
* ``backend_csv`` — a flag the analytics export does not cover, measured in ``feature_usage.csv``;
* ``no_flag_csv`` — items without a flag measured in ``feature_usage.csv`` by issue key;
* ``moved_key`` — the flag carries the key an item had before it moved to another project.
"""

from __future__ import annotations

import hashlib
import math
import random
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from extractors.simulation.config import OrgConfig
from extractors.simulation.jira.model import JiraModel
from extractors.simulation.outcomes.model import (
    ALL_ENVIRONMENTS,
    CREATE_FLAG,
    PRODUCTION,
    STAGING,
    UPDATE_FALLTHROUGH,
    UPDATE_ON,
    DeclaredValue,
    EnvState,
    FeatureUsageRow,
    FlagChange,
    NpsResponses,
    OutcomeModel,
    SimFlag,
    UsageSeries,
)
from extractors.simulation.people import People
from extractors.simulation.timeutil import DAY_MS, HOUR_MS, MINUTE_MS

BASE_ACTIVE_USERS = 6000
WEEKEND_FACTOR = 0.55
NATURAL_FLAG_SHARE = 0.45
NATURAL_PATTERNS = (
    ("direct", 0.45),
    ("progressive", 0.35),
    ("partial", 0.08),
    ("dark", 0.07),
    ("rollback_off", 0.05),
)
EXPOSURE_REPORTED = 0.55  # share of responses whose survey tool knows an exposure
BASE_PROMOTERS, BASE_DETRACTORS = 0.40, 0.22
RESPONDENT_POOL = 2500


@dataclass(frozen=True)
class Candidate:
    index: int  # issue index in the Jira model
    issue_id: str
    project: int
    deployed_ms: int
    dev_start_ms: int | None


@dataclass
class _Plan:
    """A flag being planned: the items it serves and how production gets it."""

    key: str
    items: list[Candidate]
    pattern: str
    scenario: str | None = None
    via_seed: bool = False
    audience: float | None = None
    usage_export: bool = True
    start_after_ms: int | None = None  # production changes start after this (default: deployments)
    created_ms: int | None = None  # when the flag is created (default: around development start)
    tags: tuple[str, ...] = ()


def _slug(text: str, words: int = 3) -> str:
    parts = re.findall(r"[a-z0-9]+", text.lower())
    return "-".join(parts[:words]) or "feature"


def _entry_id(seed: int, flag_key: str, n: int) -> str:
    return hashlib.sha1(f"{seed}:ld:{flag_key}:{n}".encode()).hexdigest()[:24]


class OutcomeGenerator:
    def __init__(
        self,
        config: OrgConfig,
        people: People,
        jira: JiraModel,
        first_deployed_ms: dict[str, int],
    ):
        self.config, self.people, self.jira = config, people, jira
        self.rng = random.Random(f"{config.seed}:outcomes")
        self.np_rng = np.random.default_rng([config.seed, 0x0C7])
        candidates = []
        for i in sorted(jira.milestones):
            issue_id = str(int(jira.issue_id[i]))
            deployed = first_deployed_ms.get(issue_id)
            if deployed is None:
                continue
            milestones = jira.milestones[i]
            candidates.append(
                Candidate(i, issue_id, jira.key_at(i, deployed)[0], deployed, milestones.dev_start_ms)
            )
        self.candidates = sorted(candidates, key=lambda c: (c.deployed_ms, c.issue_id))
        self.used: set[str] = set()
        self.plans: list[_Plan] = []
        self.declared: dict[str, DeclaredValue] = {}
        self.csv_rows: list[FeatureUsageRow] = []

    # -- helpers ----------------------------------------------------------------------------------
    def key_at(self, c: Candidate, ms: int) -> str:
        return self.jira.key_text(*self.jira.key_at(c.index, ms))

    def current_key(self, c: Candidate) -> str:
        return self.key_at(c, self.config.end_ms)

    def summary(self, c: Candidate) -> str:
        return self.jira.summaries[c.index]

    def pick(self, accept: Callable[[Candidate], bool], margin_days: float = 45) -> Candidate | None:
        """A deterministic unused candidate deployed early enough for its outcome to be measured."""
        latest = self.config.end_ms - int(margin_days * DAY_MS)
        earliest = self.config.start_ms + 5 * DAY_MS
        pool = [
            c for c in self.candidates if c.issue_id not in self.used and earliest <= c.deployed_ms <= latest
        ]
        pool = [c for c in pool if accept(c)]
        if not pool:
            return None
        chosen = pool[self.rng.randrange(len(pool))]
        self.used.add(chosen.issue_id)
        return chosen

    def plan(self, items: list[Candidate], pattern: str, scenario: str | None = None, **kw) -> _Plan:
        first = items[0]
        key = (
            kw.pop("key", None)
            or f"{self.key_at(first, first.deployed_ms).lower()}-{_slug(self.summary(first))}"
        )
        plan = _Plan(key, items, pattern, scenario, **kw)
        self.plans.append(plan)
        return plan

    # -- planting ---------------------------------------------------------------------------------
    def plant(self) -> None:
        def any_(c: Candidate) -> bool:
            return True

        for scenario, pattern in (
            ("rollback_off", "rollback_off"),
            ("rollback_reduced", "rollback_reduced"),
            ("dark", "dark"),
            ("partial", "partial"),
        ):
            c = self.pick(any_, margin_days=20 if pattern == "dark" else 45)
            if c is not None:
                self.plan([c], pattern, scenario, tags=("planted",))

        def move_ms(c: Candidate) -> int | None:
            """When the item last moved to another project, if that was after its issue existed a
            while and before its first deployment (a flag created in between names the old key)."""
            history = self.jira.key_history.get(c.index)
            if not history or len(history) < 2:
                return None
            moved_at = history[-1][0]
            created = int(self.jira.created_ms[c.index])
            return moved_at if created + 2 * HOUR_MS < moved_at < c.deployed_ms else None

        c = self.pick(lambda c: move_ms(c) is not None, margin_days=10)
        if c is not None:
            moved_at = move_ms(c)
            created = max(int(self.jira.created_ms[c.index]) + HOUR_MS, moved_at - 3 * HOUR_MS)
            self.plan([c], "direct", "moved_key", created_ms=created)
        # a flag serving two items (declared weights 3 and 1) and one serving three (one weight only)
        for scenario, size, weights in (("shared_weighted", 2, (3.0, 1.0)), ("shared_even", 3, (2.0,))):
            group = self.group(size)
            if group:
                plan = self.plan(
                    group,
                    "direct",
                    scenario,
                    key=f"{_slug(self.summary(group[0]), 2)}-bundle-"
                    f"{self.key_at(group[0], group[0].deployed_ms).lower()}",
                )
                for n, c in enumerate(plan.items):
                    self.declare(c, weights[n] if n < len(weights) else None)
        c = self.pick(any_)
        if c is not None:
            self.plan([c], "direct", "two_flags")
            self.plan(
                [c],
                "progressive",
                "two_flags",
                key=f"{self.key_at(c, c.deployed_ms).lower()}-mobile-{_slug(self.summary(c), 2)}",
                start_after_ms=c.deployed_ms + 4 * DAY_MS,
                tags=("mobile",),
            )
        c = self.pick(any_)
        if c is not None:
            self.plan([c], "direct", "seed_linked", via_seed=True, tags=("no-jira-link",))
        c = self.pick(any_)
        if c is not None:
            self.plan([c], "direct", "tiny_usage", audience=2.5 / BASE_ACTIVE_USERS, tags=("internal",))
        c = self.pick(any_)
        if c is not None:
            plan = self.plan([c], "direct", "backend_csv", usage_export=False, tags=("backend",))
            self.csv_rows.append(FeatureUsageRow(plan.key, self.csv_adoption(), self.csv_nps_gain()))
        for _ in range(2):
            c = self.pick(any_)
            if c is not None:  # no flag: released by its deployment, measured by hand
                self.csv_rows.append(
                    FeatureUsageRow(self.current_key(c), self.csv_adoption(), self.csv_nps_gain())
                )
        self.csv_rows.append(FeatureUsageRow("LEGACY-7", 12.5, 1.0))  # names nothing we know

    def group(self, size: int) -> list[Candidate]:
        """``size`` unused items of one project deployed within three weeks of each other."""
        latest = self.config.end_ms - 45 * DAY_MS
        pool = [
            c
            for c in self.candidates
            if c.issue_id not in self.used and self.config.start_ms + 5 * DAY_MS <= c.deployed_ms <= latest
        ]
        for start in range(len(pool)):
            group = [pool[start]]
            for c in pool[start + 1 :]:
                if c.project == group[0].project and c.deployed_ms - group[0].deployed_ms <= 21 * DAY_MS:
                    group.append(c)
                if len(group) == size:
                    self.used.update(g.issue_id for g in group)
                    return group
        return []

    def natural(self) -> None:
        for c in self.candidates:
            if c.issue_id in self.used:
                continue
            self.used.add(c.issue_id)
            if self.rng.random() >= NATURAL_FLAG_SHARE:
                if self.rng.random() < 0.15:
                    self.declare(c, None)
                continue
            pattern = self.weighted(NATURAL_PATTERNS)
            tiny = self.rng.random() < 0.03
            backend = not tiny and self.rng.random() < 0.08
            plan = self.plan(
                [c],
                pattern,
                audience=2.5 / BASE_ACTIVE_USERS if tiny else None,
                usage_export=not backend,
                tags=(("internal",) if tiny else ()) + (("backend",) if backend else ()),
            )
            if backend and pattern != "dark" and self.rng.random() < 0.5:
                self.csv_rows.append(FeatureUsageRow(plan.key, self.csv_adoption(), self.csv_nps_gain()))
            if self.rng.random() < 0.4:
                self.declare(c, None)

    def weighted(self, options: tuple[tuple[str, float], ...]) -> str:
        u, total = self.rng.random(), 0.0
        for name, p in options:
            total += p
            if u < total:
                return name
        return options[-1][0]

    def declare(self, c: Candidate, weight: float | None) -> None:
        key = self.current_key(c)
        value = round(self.rng.lognormvariate(math.log(25_000), 0.8), -2)
        cod = round(self.rng.lognormvariate(math.log(2_500), 0.7), -1)
        self.declared[key] = DeclaredValue(key, value, cod, weight)

    def csv_adoption(self) -> float:
        return round(self.rng.uniform(5, 60), 1)

    def csv_nps_gain(self) -> float:
        return round(self.rng.uniform(-4, 12), 1)

    # -- flag histories ---------------------------------------------------------------------------
    def build_flags(self) -> list[SimFlag]:
        flags = []
        for plan in self.plans:
            flags.append(self.build_flag(plan))
        self.make_instants_unique(flags)
        return flags

    def build_flag(self, plan: _Plan) -> SimFlag:
        rng = random.Random(f"{self.config.seed}:flag:{plan.key}")
        deployed = max(c.deployed_ms for c in plan.items)
        dev_starts = [c.dev_start_ms for c in plan.items if c.dev_start_ms is not None]
        created = (min(dev_starts) + rng.randint(HOUR_MS, 2 * DAY_MS)) if dev_starts else None
        if created is None or created >= deployed - HOUR_MS:
            created = deployed - rng.randint(2 * HOUR_MS, DAY_MS)
        if plan.start_after_ms is not None:
            created = min(created, plan.start_after_ms - DAY_MS)
        if plan.created_ms is not None:
            created = plan.created_ms
        first = plan.items[0]
        team = first.project % len(self.people.product_managers)
        manager = self.people.product_managers[team]
        developers = self.people.developers[team]
        jira_keys = () if plan.via_seed else tuple(self.key_at(c, created) for c in plan.items)
        name = self.summary(first) if len(plan.items) == 1 else f"{self.summary(first)} (bundle)"
        if plan.key.endswith(_slug(self.summary(first), 2)) and "-mobile-" in plan.key:
            name = f"{self.summary(first)} (mobile)"
        tags = tuple(
            sorted(
                {
                    self.jira.projects[first.project].key.lower(),
                    *plan.tags,
                    *(
                        ("progressive-rollout",)
                        if plan.pattern in ("progressive", "rollback_reduced")
                        else ()
                    ),
                }
            )
        )
        changes = [
            FlagChange(
                _entry_id(self.config.seed, plan.key, 0),
                created,
                ALL_ENVIRONMENTS,
                (CREATE_FLAG,),
                EnvState(),
                developers[rng.randrange(len(developers))],
            )
        ]
        staging_at = created + rng.randint(
            10 * MINUTE_MS, max(11 * MINUTE_MS, min(DAY_MS, deployed - created - HOUR_MS))
        )
        changes.append(
            self.change(
                plan,
                len(changes),
                staging_at,
                STAGING,
                (UPDATE_ON,),
                EnvState(True),
                developers[rng.randrange(len(developers))],
            )
        )
        start = max(deployed, plan.start_after_ms or 0)
        delay = min(max(rng.lognormvariate(math.log(30), 0.9), 1.0), 480.0)
        t = start + int(delay * HOUR_MS)
        for at, actions, state in self.production_steps(plan.pattern, t, rng):
            changes.append(self.change(plan, len(changes), at, PRODUCTION, actions, state, manager))
        audience = plan.audience if plan.audience is not None else rng.uniform(0.05, 0.6)
        return SimFlag(
            key=plan.key,
            name=name,
            description=f"Releases {', '.join(jira_keys or (self.key_at(first, created),))}: "
            f"{self.summary(first)}",
            tags=tags,
            created_ms=created,
            maintainer=manager,
            jira_keys=jira_keys,
            issue_ids=tuple(c.issue_id for c in plan.items),
            via_seed=plan.via_seed,
            changes=changes,
            audience=audience,
            adoption_rate=rng.uniform(0.05, 0.7),
            ramp_days=rng.uniform(2, 10),
            nps_effect=rng.uniform(-0.08, 0.15),
            usage_export=plan.usage_export,
            scenario=plan.scenario,
        )

    def change(
        self, plan: _Plan, n: int, at: int, env: str, actions, state: EnvState, member: int
    ) -> FlagChange:
        return FlagChange(_entry_id(self.config.seed, plan.key, n), at, env, tuple(actions), state, member)

    @staticmethod
    def production_steps(
        pattern: str, t: int, rng: random.Random
    ) -> list[tuple[int, tuple[str, ...], EnvState]]:
        on_all = EnvState(True, 100, False)
        both = (UPDATE_ON, UPDATE_FALLTHROUGH)
        if pattern == "direct":
            return [(t, (UPDATE_ON,), on_all)]
        if pattern == "progressive":
            steps = rng.choice(((10, 50), (25, 50), (5, 25, 50), (20,)))
            out = [(t, both, EnvState(True, steps[0], True))]
            for pct in steps[1:]:
                t += rng.randint(DAY_MS, 3 * DAY_MS)
                out.append((t, (UPDATE_FALLTHROUGH,), EnvState(True, pct, True)))
            t += rng.randint(DAY_MS, 3 * DAY_MS)
            out.append((t, (UPDATE_FALLTHROUGH,), on_all))
            return out
        if pattern == "partial":
            return [(t, both, EnvState(True, 50, True))]
        if pattern == "dark":
            return []
        if pattern == "rollback_off":
            off_at = t + rng.randint(2 * HOUR_MS, 30 * HOUR_MS)
            again = off_at + rng.randint(2 * DAY_MS, 6 * DAY_MS)
            return [
                (t, (UPDATE_ON,), on_all),
                (off_at, (UPDATE_ON,), EnvState(False, 100, False)),
                (again, (UPDATE_ON,), on_all),
            ]
        if pattern == "rollback_reduced":
            reduced = t + rng.randint(DAY_MS, 2 * DAY_MS)
            full = reduced + rng.randint(3 * DAY_MS, 6 * DAY_MS)
            return [
                (t, both, EnvState(True, 50, True)),
                (reduced, (UPDATE_FALLTHROUGH,), EnvState(True, 10, True)),
                (full, (UPDATE_FALLTHROUGH,), on_all),
            ]
        raise ValueError(f"unknown release pattern {pattern!r}")

    @staticmethod
    def make_instants_unique(flags: list[SimFlag]) -> None:
        """No two audit-log entries share a millisecond (LaunchDarkly pages the log by `before`)."""
        taken: set[int] = set()
        order = sorted(((c.at_ms, n, k) for n, f in enumerate(flags) for k, c in enumerate(f.changes)))
        for at, n, k in order:
            while at in taken:
                at += 1
            taken.add(at)
            change = flags[n].changes[k]
            if at != change.at_ms:
                flags[n].changes[k] = FlagChange(
                    change.entry_id, at, change.environment, change.actions, change.state, change.member
                )
        for flag in flags:
            flag.created_ms = flag.changes[0].at_ms

    # -- usage and surveys ------------------------------------------------------------------------
    def active_users(self, days: np.ndarray) -> np.ndarray:
        noise = np.random.default_rng([self.config.seed, 0xAC7]).normal(1.0, 0.04, size=len(days))
        weekday = (days + 3) % 7  # 1970-01-01 was a Thursday: (day + 3) % 7 is Monday = 0
        factor = np.where(weekday >= 5, WEEKEND_FACTOR, 1.0)
        return BASE_ACTIVE_USERS * factor * noise

    def usage(self, flags: list[SimFlag]) -> dict[str, UsageSeries]:
        end_day = self.config.end_ms // DAY_MS
        all_days = np.arange(self.config.start_ms // DAY_MS, end_day, dtype=np.int64)
        active = dict(zip(all_days.tolist(), self.active_users(all_days).tolist(), strict=True))
        out = {}
        for n, flag in enumerate(flags):
            first_on = flag.first_on_ms(PRODUCTION)
            if not flag.usage_export or first_on is None or first_on // DAY_MS >= end_day:
                continue
            rng = np.random.default_rng([self.config.seed, 0x05E, n])
            days = np.arange(first_on // DAY_MS, end_day, dtype=np.int64)
            noon = days * DAY_MS + 12 * HOUR_MS
            times = [c.at_ms for c in flag.changes if c.environment == PRODUCTION]
            shares = [c.state.serving_pct for c in flag.changes if c.environment == PRODUCTION]
            at = np.searchsorted(np.array(times, dtype=np.int64), noon, side="right") - 1
            share = np.where(at >= 0, np.array(shares + [0])[at], 0)
            base = np.array([active.get(int(d), BASE_ACTIVE_USERS) for d in days])
            eligible = np.rint(base * flag.audience * share / 100.0).astype(np.int64)
            elapsed = np.maximum((noon - first_on) / DAY_MS, 0.0)
            p = flag.adoption_rate * (1.0 - np.exp(-elapsed / flag.ramp_days))
            used = rng.binomial(eligible, np.clip(p, 0.0, 1.0)).astype(np.int64)
            out[flag.key] = UsageSeries(flag.key, days, eligible, used)
        return out

    def nps(self, flags: list[SimFlag]) -> NpsResponses:
        rng = np.random.default_rng([self.config.seed, 0x4E5])
        days = np.arange(self.config.start_ms // DAY_MS, self.config.end_ms // DAY_MS, dtype=np.int64)
        rate = 8 + self.config.flow_items / 40
        counts = rng.poisson(rate, size=len(days))
        submitted = (
            np.concatenate(
                [d * DAY_MS + rng.integers(0, DAY_MS, size=k) for d, k in zip(days, counts, strict=True)]
            )
            if len(days)
            else np.zeros(0, dtype=np.int64)
        )
        submitted = np.unique(submitted)  # distinct instants, ordered
        n = len(submitted)
        tracked = [f for f in flags if f.usage_export]
        weights = np.zeros((n, len(tracked)))
        for j, flag in enumerate(tracked):
            times = np.array([c.at_ms for c in flag.changes if c.environment == PRODUCTION], dtype=np.int64)
            shares = np.array(
                [c.state.serving_pct for c in flag.changes if c.environment == PRODUCTION] + [0]
            )
            at = np.searchsorted(times, submitted, side="right") - 1
            weights[:, j] = np.where(at >= 0, shares[at], 0) / 100.0 * flag.audience
        reported = rng.random(n) < EXPOSURE_REPORTED
        totals = weights.sum(axis=1)
        pick = rng.random(n)
        exposure = np.full(n, -1, dtype=np.int64)
        index_of = {f.key: k for k, f in enumerate(flags)}
        cumulative = np.cumsum(weights, axis=1)
        for r in np.nonzero(reported & (totals > 0))[0]:
            j = int(np.searchsorted(cumulative[r], pick[r] * totals[r], side="right"))
            exposure[r] = index_of[tracked[min(j, len(tracked) - 1)].key]
        effect = np.array([flags[e].nps_effect if e >= 0 else 0.0 for e in exposure])
        p_promoter = np.clip(BASE_PROMOTERS + effect, 0.02, 0.95)
        p_detractor = np.clip(BASE_DETRACTORS - effect, 0.02, 0.95)
        u = rng.random(n)
        within = rng.random(n)
        score = np.where(
            u < p_promoter,
            9 + (within < 0.45),
            np.where(
                u > 1 - p_detractor,
                np.minimum((within * 7).astype(np.int64) + (within > 0.5) * 2, 6),
                7 + (within < 0.5),
            ),
        ).astype(np.int64)
        respondent = rng.integers(1, RESPONDENT_POOL, size=n)
        return NpsResponses(submitted.astype(np.int64), respondent, score, exposure)


def generate_outcomes(
    config: OrgConfig, people: People, jira: JiraModel, first_deployed_ms: dict[str, int]
) -> OutcomeModel:
    gen = OutcomeGenerator(config, people, jira, first_deployed_ms)
    gen.plant()
    gen.natural()
    flags = gen.build_flags()
    seed_links = []
    for flag in flags:
        if flag.via_seed:
            for issue_id in flag.issue_ids:
                c = next(c for c in gen.candidates if c.issue_id == issue_id)
                seed_links.append((flag.key, gen.current_key(c)))
    return OutcomeModel(
        flags=flags,
        usage=gen.usage(flags),
        nps=gen.nps(flags),
        declared_values=sorted(gen.declared.values(), key=lambda d: d.issue_key),
        feature_usage=gen.csv_rows,
        seed_links=seed_links,
        source=config.launchdarkly_source,
    )
