"""The organisation's outcome side, frozen after generation: LaunchDarkly flags with every change they
went through, the daily product-usage export per feature, NPS survey responses, the declared value
and cost of delay of some items, the hand-built ``feature_usage.csv`` and the flag ↔ issue rows of
the mapping seed. Everything is answered "as of" an instant, like the other sources.

Flags belong to one LaunchDarkly project (``acme``) with two environments, ``production`` and
``staging``; each is a boolean flag (variation 0 ``true``, variation 1 ``false``, off variation 1).
An environment's *serving share* is the percentage of its default rule (fallthrough) on the ``true``
variation while the flag is on, 0 while it is off.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from extractors.simulation.timeutil import DAY_MS

PROJECT_KEY = "acme"
PRODUCTION, STAGING = "production", "staging"
ENVIRONMENTS = (PRODUCTION, STAGING)
ENVIRONMENT_NAMES = {PRODUCTION: "Production", STAGING: "Staging"}
ALL_ENVIRONMENTS = "*"  # a flag-level change (creation)

# Audit-log actions (LaunchDarkly's resource actions)
CREATE_FLAG, UPDATE_ON, UPDATE_FALLTHROUGH = "createFlag", "updateOn", "updateFallthrough"


@dataclass(frozen=True)
class EnvState:
    """One environment's state: on/off and the default rule (a fixed variation or a rollout)."""

    on: bool = False
    true_pct: int = 100  # share of the default rule on the `true` variation (100 for variation 0)
    rollout: bool = False  # the default rule is a percentage rollout (else a fixed variation)

    @property
    def serving_pct(self) -> int:
        return self.true_pct if self.on else 0


@dataclass(frozen=True)
class FlagChange:
    """One audit-log entry of a flag: creation (environment ``*``) or a change in one environment."""

    entry_id: str
    at_ms: int
    environment: str
    actions: tuple[str, ...]
    state: EnvState  # the environment's state after the change (creation: every environment's)
    member: int  # person index


@dataclass(eq=False)
class SimFlag:
    """A feature flag and its true history."""

    key: str
    name: str
    description: str
    tags: tuple[str, ...]
    created_ms: int
    maintainer: int  # person index
    jira_keys: tuple[str, ...]  # customProperties `jira.issues` (keys as they were when linked)
    issue_ids: tuple[str, ...]  # the flow items it serves (by any route)
    via_seed: bool  # linked through the mapping seed rather than its custom property
    changes: list[FlagChange]  # creation first, then by time
    audience: float  # share of active users eligible when fully on
    adoption_rate: float  # long-run share of eligible users who use it
    ramp_days: float
    nps_effect: float  # promoter share gained (and detractor share lost) by exposed respondents
    usage_export: bool  # the analytics export has a row per day for it
    scenario: str | None = None

    def visible(self, as_of_ms: int) -> bool:
        return self.created_ms <= as_of_ms

    def changes_until(self, as_of_ms: int) -> list[FlagChange]:
        return [c for c in self.changes if c.at_ms <= as_of_ms]

    def env_changes(self, environment: str, as_of_ms: int) -> list[FlagChange]:
        return [c for c in self.changes_until(as_of_ms) if c.environment == environment]

    def state_at(self, environment: str, as_of_ms: int) -> EnvState:
        changes = self.env_changes(environment, as_of_ms)
        return changes[-1].state if changes else EnvState()

    def serving_pct_at(self, environment: str, as_of_ms: int) -> int:
        return self.state_at(environment, as_of_ms).serving_pct

    def version_at(self, as_of_ms: int) -> int:
        return len(self.changes_until(as_of_ms))

    def last_modified_ms(self, as_of_ms: int, environment: str | None = None) -> int:
        changes = self.changes_until(as_of_ms)
        if environment is not None:
            changes = [c for c in changes if c.environment == environment] or changes[:1]
        return changes[-1].at_ms

    def first_on_ms(self, environment: str = PRODUCTION) -> int | None:
        return next((c.at_ms for c in self.changes if c.environment == environment and c.state.on), None)


@dataclass(eq=False)
class UsageSeries:
    """The analytics export's daily rows for one feature (flag key): UTC days since the epoch."""

    feature_key: str
    days: np.ndarray
    eligible: np.ndarray
    used: np.ndarray

    def rows_until(self, as_of_ms: int) -> slice:
        """Complete days only: a day is exported once it has ended."""
        last_day = as_of_ms // DAY_MS  # the day as_of falls on is not complete yet
        return slice(0, int(np.searchsorted(self.days, last_day, side="left")))


@dataclass(eq=False)
class NpsResponses:
    """Survey responses in submission order (arrays of equal length)."""

    submitted_ms: np.ndarray
    respondent: np.ndarray  # respondent number
    score: np.ndarray
    exposure: np.ndarray  # index into OutcomeModel.flags, -1 when not exposed (or unknown)

    def count_until(self, as_of_ms: int) -> int:
        return int(np.searchsorted(self.submitted_ms, as_of_ms, side="right"))


@dataclass(frozen=True)
class DeclaredValue:
    issue_key: str
    value_usd: float
    cost_of_delay_usd_per_week: float
    credit_weight: float | None


@dataclass(frozen=True)
class FeatureUsageRow:
    key: str  # a flag key or an issue key
    adoption_pct: float
    nps_gain: float


@dataclass(eq=False)
class OutcomeModel:
    flags: list[SimFlag]
    usage: dict[str, UsageSeries]  # by feature (flag) key
    nps: NpsResponses
    declared_values: list[DeclaredValue]
    feature_usage: list[FeatureUsageRow]
    seed_links: list[tuple[str, str]]  # (flag key, issue key) rows of the mapping seed
    source: str  # the LaunchDarkly connection name the seed rows name
    _by_key: dict[str, int] = field(default_factory=dict)
    _entry_index: list[tuple[int, int, int]] = field(default_factory=list)  # (at_ms, flag, change)

    def __post_init__(self) -> None:
        self._by_key = {f.key: n for n, f in enumerate(self.flags)}
        self._entry_index = sorted(
            (c.at_ms, n, k) for n, f in enumerate(self.flags) for k, c in enumerate(f.changes)
        )
        self._entry_times = [e[0] for e in self._entry_index]
        self._by_entry_id = {self.flags[n].changes[k].entry_id: (n, k) for _, n, k in self._entry_index}

    def flag(self, key: str) -> SimFlag | None:
        n = self._by_key.get(key)
        return None if n is None else self.flags[n]

    def flags_at(self, as_of_ms: int) -> list[SimFlag]:
        """Flags that exist at ``as_of_ms``, in creation order (LaunchDarkly lists them so by default)."""
        return sorted((f for f in self.flags if f.visible(as_of_ms)), key=lambda f: (f.created_ms, f.key))

    def entries_until(self, as_of_ms: int) -> list[tuple[SimFlag, FlagChange]]:
        """Every audit-log entry at or before ``as_of_ms``, oldest first."""
        stop = bisect.bisect_right(self._entry_times, as_of_ms)
        return [(self.flags[n], self.flags[n].changes[k]) for _, n, k in self._entry_index[:stop]]

    def entry(self, entry_id: str) -> tuple[SimFlag, FlagChange] | None:
        found = self._by_entry_id.get(entry_id)
        if found is None:
            return None
        n, k = found
        return self.flags[n], self.flags[n].changes[k]


def day_of(ms: int) -> int:
    return ms // DAY_MS


def date_of_day(day: int) -> date:
    return date.fromordinal(date(1970, 1, 1).toordinal() + int(day))
