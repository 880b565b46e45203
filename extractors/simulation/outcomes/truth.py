"""Ground truth of the outcome marts (``models/marts/outcomes``), read off the outcome model, the Jira
truth and the delivery truth — never off payloads. The definitions are DEVELOPERS.md's "Outcome
definitions we chose"; in short:

* **Links** (``flow_item_flags``): a flag serves the flow items whose keys (any key the item has
  had) its ``customProperties.jira.issues`` lists, or that a ``flag_issue_links`` seed row names.
  Credit when several items share a flag: their declared ``credit_weight`` shares when every one of
  them declares one (``declared_weight``), else even (``even``); a flag serving one item: ``sole``.
* **Releases** (``feature_releases``): an environment's serving share is the share of its default
  rule on a variation other than the off variation while on, 0 while off, after each audit-log
  entry. Released = the first entry after which the share reaches ``release_share_pct``; a
  rollback = an entry after which the share is lower than before (and was above 0).
* **Adoption** (``feature_adoption``): per UTC day; the 7/30-day adoption after release pools the
  days ``D+1 … D+N`` after the release day ``D``: 100 × Σ used ÷ Σ eligible, n = Σ eligible.
* **NPS** (``nps``): exposed = responses naming the flag in ``[release, release + window)``; before
  = every response in ``[release − window, release)``; control = the others in the exposed window.
* **Items** (``feature_outcomes``): released at the first release of any of its flags (no flag: its
  first production deployment); outcome figures only once released; ``roi_per_hour`` = credited
  adoption points ÷ lead-time hours, ranked unless its adoption sample is small.
* **Stage impact** (``outcome_stage_impact``): ranked items in ROI quartiles (``ntile(4)``), mean
  stage hours of the bottom quartile against the top.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np

from extractors.simulation.delivery.truth import DeliveryTruth
from extractors.simulation.jira.ground_truth import JiraTruth
from extractors.simulation.jira.mapping import STAGE_ORDER, STAGES
from extractors.simulation.jira.site import JiraSite
from extractors.simulation.outcomes.model import (
    ALL_ENVIRONMENTS,
    ENVIRONMENTS,
    OutcomeModel,
    SimFlag,
    date_of_day,
)
from extractors.simulation.timeutil import DAY_MS, from_ms, to_ms

HOURS_PER_WEEK = 168.0
ADOPTION_WINDOWS = (7, 30)


@dataclass(frozen=True)
class OutcomeSettings:
    """The dbt vars of the outcome models (dbt_project.yml)."""

    release_environment: str = "production"
    release_share_pct: float = 100.0
    nps_window_days: int = 30
    min_eligible_user_days: int = 200
    min_nps_responses: int = 30


@dataclass(frozen=True)
class TrueRelease:
    flag_key: str
    environment: str
    flag_created_at: datetime
    first_on_at: datetime | None
    released_at: datetime | None
    release_count: int
    rollback_count: int
    first_rollback_at: datetime | None
    is_rolled_back: bool
    current_is_on: bool
    current_serving_pct: float
    last_changed_at: datetime


@dataclass(frozen=True)
class TrueWindow:
    """Adoption over the ``days`` days after the release day."""

    days: int
    adoption_pct: float | None
    eligible_user_days: int
    users_who_used: int
    days_observed: int
    is_small_sample: bool


@dataclass(frozen=True)
class TrueNpsGroup:
    n: int
    promoters: int
    detractors: int

    @property
    def nps(self) -> float | None:
        return None if self.n == 0 else 100.0 * (self.promoters - self.detractors) / self.n

    @property
    def se(self) -> float | None:
        if self.n == 0:
            return None
        p, d = self.promoters / self.n, self.detractors / self.n
        return 100.0 * math.sqrt(max(p + d - (p - d) ** 2, 0.0) / self.n)


@dataclass(frozen=True)
class TrueFeatureNps:
    feature_key: str | None  # None: the overall row
    release_at: datetime | None
    exposed: TrueNpsGroup  # overall: every response
    before: TrueNpsGroup | None
    control: TrueNpsGroup | None
    nps_delta: float | None
    nps_delta_se: float | None
    nps_delta_vs_control: float | None
    is_small_sample: bool


@dataclass(frozen=True)
class TrueLink:
    flow_item_id: str
    flag_key: str
    link_source: str  # custom_property, mapping_seed
    matched_key: str
    credit_share: float
    credit_method: str  # sole, declared_weight, even


@dataclass(frozen=True)
class TrueItemOutcome:
    flow_item_id: str
    issue_key: str
    flag_keys: tuple[str, ...]
    first_deployed_at: datetime | None
    release_source: str | None  # flag, deployment
    released_at: datetime | None
    is_deployed_dark: bool
    deploy_to_release_hours: float | None
    time_to_value_hours: float | None
    has_rollback: bool
    adoption_pct: float | None
    credited_adoption_points: float | None
    adoption_source: str | None
    adoption_eligible_user_days: int | None
    adoption_is_small_sample: bool
    nps_delta: float | None
    nps_source: str | None
    nps_is_small_sample: bool
    credit_share: float | None
    credit_method: str | None
    declared_value_usd: float | None
    cost_of_delay_usd_per_week: float | None
    lead_time_hours: float | None
    roi_per_hour: float | None
    value_per_active_hour_usd: float | None
    delay_cost_incurred_usd: float | None
    cd3_usd_per_week_per_week: float | None
    is_small_sample: bool
    roi_rank: int | None
    scenarios: frozenset[str]


@dataclass(frozen=True)
class TrueStageImpact:
    stage: str
    stage_order: int
    top_items: int
    bottom_items: int
    top_mean_stage_hours: float | None
    bottom_mean_stage_hours: float | None
    top_pct_of_lead_time: float | None
    bottom_pct_of_lead_time: float | None
    extra_hours_per_item: float | None
    steal_rank: int


@dataclass
class OutcomeTruth:
    as_of: datetime
    settings: OutcomeSettings
    releases: dict[tuple[str, str], TrueRelease] = field(default_factory=dict)
    usage: dict[tuple[str, date], tuple[int, int]] = field(default_factory=dict)  # (eligible, used)
    windows: dict[tuple[str, int], TrueWindow] = field(default_factory=dict)
    nps_overall: TrueFeatureNps | None = None
    nps_features: dict[str, TrueFeatureNps] = field(default_factory=dict)
    links: dict[tuple[str, str], TrueLink] = field(default_factory=dict)
    items: dict[str, TrueItemOutcome] = field(default_factory=dict)
    stage_impact: list[TrueStageImpact] = field(default_factory=list)
    scenarios: dict[str, tuple[str, ...]] = field(default_factory=dict)  # scenario → flag keys

    def ranked(self) -> list[TrueItemOutcome]:
        return sorted((i for i in self.items.values() if i.roi_rank is not None), key=lambda i: i.roi_rank)


def _hours(start: datetime | None, end: datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return (end - start).total_seconds() / 3600.0


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def ntile(count: int, buckets: int) -> list[int]:
    """DuckDB's ``ntile``: the first ``count % buckets`` buckets hold one row more."""
    size, extra = divmod(count, buckets)
    out = []
    for bucket in range(1, buckets + 1):
        out += [bucket] * (size + (1 if bucket <= extra else 0))
    return out


def release_of(flag: SimFlag, environment: str, as_of_ms: int, share: float) -> TrueRelease:
    changes = [c for c in flag.changes_until(as_of_ms) if c.environment in (environment, ALL_ENVIRONMENTS)]
    previous = 0.0
    first_on = released = first_rollback = None
    release_count = rollback_count = 0
    on = False
    for change in changes:
        state = change.state
        serving = float(state.serving_pct)
        if state.on and first_on is None:
            first_on = change.at_ms
        if serving >= share and previous < share:
            release_count += 1
            if released is None:
                released = change.at_ms
        if serving < previous:
            rollback_count += 1
            if first_rollback is None:
                first_rollback = change.at_ms
        previous, on = serving, state.on
    return TrueRelease(
        flag_key=flag.key,
        environment=environment,
        flag_created_at=from_ms(flag.created_ms),
        first_on_at=None if first_on is None else from_ms(first_on),
        released_at=None if released is None else from_ms(released),
        release_count=release_count,
        rollback_count=rollback_count,
        first_rollback_at=None if first_rollback is None else from_ms(first_rollback),
        is_rolled_back=released is not None and previous < share,
        current_is_on=on,
        current_serving_pct=previous,
        last_changed_at=from_ms(changes[-1].at_ms),
    )


def nps_group(submitted: np.ndarray, score: np.ndarray, mask: np.ndarray) -> TrueNpsGroup:
    chosen = score[mask]
    return TrueNpsGroup(int(len(chosen)), int((chosen >= 9).sum()), int((chosen <= 6).sum()))


def build_outcome_truth(
    model: OutcomeModel,
    site: JiraSite,
    jira: JiraTruth,
    delivery: DeliveryTruth,
    jira_source: str,
    as_of: datetime,
    settings: OutcomeSettings | None = None,
    seed_links: list[tuple[str, str]] | None = None,
) -> OutcomeTruth:
    """The outcome marts as of ``as_of``. ``seed_links`` are the mapping seed's (flag key, issue key)
    rows for this source (default: the organisation's own)."""
    settings = settings or OutcomeSettings()
    as_of_ms = to_ms(as_of)
    truth = OutcomeTruth(as_of, settings)
    share = settings.release_share_pct
    flags = [f for f in model.flags if f.visible(as_of_ms)]
    by_key = {f.key: f for f in flags}
    for flag in flags:
        if flag.scenario:
            truth.scenarios.setdefault(flag.scenario, ())
            truth.scenarios[flag.scenario] += (flag.key,)
        for env in ENVIRONMENTS:
            truth.releases[(flag.key, env)] = release_of(flag, env, as_of_ms, share)

    # -- adoption ---------------------------------------------------------------------------------
    release_day: dict[str, int] = {}
    for flag in flags:
        released = truth.releases[(flag.key, settings.release_environment)].released_at
        if released is not None:
            release_day[flag.key] = to_ms(released) // DAY_MS
    series_rows: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    for key, series in model.usage.items():
        cut = series.rows_until(as_of_ms)
        days, eligible, used = series.days[cut], series.eligible[cut], series.used[cut]
        series_rows[key] = (days, eligible, used)
        for d, e, u in zip(days.tolist(), eligible.tolist(), used.tolist(), strict=True):
            truth.usage[(key, date_of_day(d))] = (e, u)
        if key not in release_day:
            continue
        for window in ADOPTION_WINDOWS:
            first, last = release_day[key] + 1, release_day[key] + window
            mask = (days >= first) & (days <= last)
            e_sum, u_sum = int(eligible[mask].sum()), int(used[mask].sum())
            truth.windows[(key, window)] = TrueWindow(
                window,
                100.0 * u_sum / e_sum if e_sum > 0 else None,
                e_sum,
                u_sum,
                int(mask.sum()),
                e_sum < settings.min_eligible_user_days,
            )

    # -- NPS --------------------------------------------------------------------------------------
    nps = model.nps
    count = nps.count_until(as_of_ms)
    submitted, score, exposure = nps.submitted_ms[:count], nps.score[:count], nps.exposure[:count]
    exposure_key = np.array([model.flags[e].key if e >= 0 else "" for e in exposure.tolist()], dtype=object)
    everyone = np.ones(count, dtype=bool)
    overall = nps_group(submitted, score, everyone)
    truth.nps_overall = TrueFeatureNps(
        None, None, overall, None, None, None, None, None, overall.n < settings.min_nps_responses
    )
    window_ms = settings.nps_window_days * DAY_MS
    for flag in flags:
        released = truth.releases[(flag.key, settings.release_environment)].released_at
        if released is None:
            truth.nps_features[flag.key] = TrueFeatureNps(
                flag.key, None, TrueNpsGroup(0, 0, 0), None, None, None, None, None, True
            )
            continue
        r = to_ms(released)
        after = (submitted >= r) & (submitted < r + window_ms)
        mine = exposure_key == flag.key
        exposed = nps_group(submitted, score, after & mine)
        before = nps_group(submitted, score, (submitted >= r - window_ms) & (submitted < r))
        control = nps_group(submitted, score, after & ~mine)
        delta = None if exposed.nps is None or before.nps is None else exposed.nps - before.nps
        delta_se = None if delta is None else math.sqrt(exposed.se**2 + before.se**2)
        vs_control = None if exposed.nps is None or control.nps is None else exposed.nps - control.nps
        truth.nps_features[flag.key] = TrueFeatureNps(
            flag.key,
            released,
            exposed,
            before,
            control,
            delta,
            delta_se,
            vs_control,
            exposed.n < settings.min_nps_responses or before.n < settings.min_nps_responses,
        )

    # -- links and credit -------------------------------------------------------------------------
    declared = {d.issue_key.upper(): d for d in model.declared_values}
    csv_rows = {r.key: r for r in model.feature_usage}
    items = jira.flow_items()
    known: dict[str, list[str]] = {}  # key (upper) → flow item ids
    item_by_id = {}
    for item in items:
        flow_item_id = f"{jira_source}:{item.issue_id}"
        item_by_id[flow_item_id] = item
        i = site.lookup(item.issue_id)
        keys = {item.issue_key}
        for since, project, number in site.model.key_history.get(i, ()):
            if since <= as_of_ms:
                keys.add(site.model.key_text(project, number))
        for key in keys:
            known.setdefault(key.upper(), []).append(flow_item_id)
    raw_links: dict[tuple[str, str], tuple[str, str]] = {}
    for flag in flags:
        for key in flag.jira_keys:
            for flow_item_id in known.get(key.upper(), []):
                raw_links.setdefault((flow_item_id, flag.key), ("custom_property", key))
    for flag_key, issue_key in model.seed_links if seed_links is None else seed_links:
        if flag_key not in by_key:
            continue
        for flow_item_id in known.get(issue_key.upper(), []):
            raw_links.setdefault((flow_item_id, flag_key), ("mapping_seed", issue_key))
    per_flag: dict[str, list[str]] = {}
    for flow_item_id, flag_key in raw_links:
        per_flag.setdefault(flag_key, []).append(flow_item_id)
    for flag_key, item_ids in per_flag.items():
        weights = [declared.get(item_by_id[x].issue_key.upper()) for x in item_ids]
        weights = [d.credit_weight if d is not None else None for d in weights]
        if len(item_ids) == 1:
            shares, method = [1.0], "sole"
        elif all(w is not None and w > 0 for w in weights):
            total = sum(weights)
            shares, method = [w / total for w in weights], "declared_weight"
        else:
            shares, method = [1.0 / len(item_ids)] * len(item_ids), "even"
        for flow_item_id, item_share in zip(item_ids, shares, strict=True):
            source, matched = raw_links[(flow_item_id, flag_key)]
            truth.links[(flow_item_id, flag_key)] = TrueLink(
                flow_item_id, flag_key, source, matched, item_share, method
            )

    # -- items ------------------------------------------------------------------------------------
    flags_of: dict[str, list[str]] = {}
    for flow_item_id, flag_key in truth.links:
        flags_of.setdefault(flow_item_id, []).append(flag_key)
    outcomes = {}
    for flow_item_id, item in item_by_id.items():
        keys = sorted(flags_of.get(flow_item_id, []))
        delivered = delivery.items.get(item.issue_id)
        deployed_at = delivered.first_deployed_at if delivered is not None else None
        prod = [truth.releases[(k, settings.release_environment)] for k in keys]
        if keys:
            released_list = [r.released_at for r in prod if r.released_at is not None]
            released_at = min(released_list) if released_list else None
            release_source = "flag"
        else:
            released_at = deployed_at
            release_source = "deployment" if deployed_at is not None else None
        adoption_values, adoption_sources, credited, eligible_days, adoption_small = (
            [],
            set(),
            0.0,
            None,
            False,
        )
        nps_values, nps_sources, nps_small = [], set(), False
        if released_at is not None:
            for k in keys:
                if truth.releases[(k, settings.release_environment)].released_at is None:
                    continue
                link = truth.links[(flow_item_id, k)]
                window = truth.windows.get((k, 30))
                if window is not None and window.adoption_pct is not None:
                    adoption_values.append(window.adoption_pct)
                    credited += link.credit_share * window.adoption_pct
                    adoption_sources.add("usage_export")
                    eligible_days = (eligible_days or 0) + window.eligible_user_days
                    adoption_small = adoption_small or window.is_small_sample
                elif k in csv_rows:
                    adoption_values.append(csv_rows[k].adoption_pct)
                    credited += link.credit_share * csv_rows[k].adoption_pct
                    adoption_sources.add("feature_usage_csv")
                feature_nps = truth.nps_features.get(k)
                if feature_nps is not None and feature_nps.nps_delta is not None:
                    nps_values.append(feature_nps.nps_delta)
                    nps_sources.add("survey")
                    nps_small = nps_small or feature_nps.is_small_sample
                elif k in csv_rows:
                    nps_values.append(csv_rows[k].nps_gain)
                    nps_sources.add("feature_usage_csv")
            own = csv_rows.get(item.issue_key.upper())
            if not adoption_values and own is not None:
                adoption_values, credited = [own.adoption_pct], own.adoption_pct
                adoption_sources.add("feature_usage_csv")
            if not nps_values and own is not None:
                nps_values = [own.nps_gain]
                nps_sources.add("feature_usage_csv")
        adoption = _mean(adoption_values)
        lead = (
            None if item.lead_time_seconds is None or not item.is_completed else item.lead_time_seconds / 3600
        )
        flow_time = (
            item.flow_time_seconds / 3600
            if item.is_completed and item.flow_time_seconds is not None
            else None
        )
        active = item.active_seconds / 3600 if item.active_seconds is not None else None
        value = declared.get(item.issue_key.upper())
        cod = value.cost_of_delay_usd_per_week if value is not None else None
        links = [truth.links[(flow_item_id, k)] for k in keys]
        roi = credited / lead if adoption is not None and lead is not None and lead > 0 else None
        small = adoption_small or nps_small
        outcomes[flow_item_id] = dict(
            flow_item_id=flow_item_id,
            issue_key=item.issue_key,
            flag_keys=tuple(keys),
            first_deployed_at=deployed_at,
            release_source=release_source,
            released_at=released_at,
            is_deployed_dark=bool(keys) and deployed_at is not None and released_at is None,
            deploy_to_release_hours=_hours(deployed_at, released_at),
            time_to_value_hours=_hours(item.flow_start_at, released_at),
            has_rollback=any(r.rollback_count > 0 for r in prod),
            adoption_pct=adoption,
            credited_adoption_points=credited if adoption is not None else None,
            adoption_source=_source(adoption_sources),
            adoption_eligible_user_days=eligible_days,
            adoption_is_small_sample=adoption_small,
            nps_delta=_mean(nps_values),
            nps_source=_source(nps_sources),
            nps_is_small_sample=nps_small,
            credit_share=_mean([link.credit_share for link in links]),
            credit_method=", ".join(sorted({link.credit_method for link in links})) or None,
            declared_value_usd=value.value_usd if value is not None else None,
            cost_of_delay_usd_per_week=cod,
            lead_time_hours=lead,
            roi_per_hour=roi,
            value_per_active_hour_usd=(
                value.value_usd / active
                if value is not None and released_at is not None and active is not None and active > 0
                else None
            ),
            delay_cost_incurred_usd=cod * flow_time / HOURS_PER_WEEK
            if cod is not None and flow_time is not None
            else None,
            cd3_usd_per_week_per_week=(
                cod / (flow_time / HOURS_PER_WEEK) if cod is not None and flow_time else None
            ),
            is_small_sample=small,
            roi_rank=None,
            scenarios=frozenset(by_key[k].scenario for k in keys if by_key[k].scenario),
        )
    ranked = sorted(
        (o for o in outcomes.values() if o["roi_per_hour"] is not None and not o["adoption_is_small_sample"]),
        key=lambda o: (-o["roi_per_hour"], o["flow_item_id"]),
    )
    for rank, o in enumerate(ranked, start=1):
        o["roi_rank"] = rank
    truth.items = {k: TrueItemOutcome(**v) for k, v in outcomes.items()}

    # -- stage impact -----------------------------------------------------------------------------
    quartiles = dict(zip([o["flow_item_id"] for o in ranked], ntile(len(ranked), 4), strict=True))
    top = [x for x, q in quartiles.items() if q == 1]
    bottom = [x for x, q in quartiles.items() if q == 4]
    rows = []
    for stage in STAGES:
        figures = {}
        for name, group in (("top", top), ("bottom", bottom)):
            hours = [(item_by_id[x].stages[stage].seconds or 0.0) / 3600 for x in group]
            leads = [outcomes[x]["lead_time_hours"] for x in group]
            figures[name] = (
                _mean(hours),
                100.0 * sum(hours) / sum(leads) if group and sum(leads) > 0 else None,
            )
        extra = (
            None
            if figures["bottom"][0] is None or figures["top"][0] is None
            else figures["bottom"][0] - figures["top"][0]
        )
        rows.append(
            [
                stage,
                STAGE_ORDER[stage],
                len(top),
                len(bottom),
                figures["top"][0],
                figures["bottom"][0],
                figures["top"][1],
                figures["bottom"][1],
                extra,
            ]
        )
    order = sorted(rows, key=lambda r: (r[8] is None, -(r[8] or 0.0), r[1]))
    truth.stage_impact = [TrueStageImpact(*r, steal_rank=order.index(r) + 1) for r in rows]
    return truth


def _source(sources: set[str]) -> str | None:
    if not sources:
        return None
    return sources.pop() if len(sources) == 1 else "mixed"
