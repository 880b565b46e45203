"""How big, how long and how random the simulated organisation is."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from extractors.simulation.timeutil import to_ms

MIN_TEAMS = 3  # PAY, MOB and PLAT: the planted edge cases need all three workflows


@dataclass(frozen=True)
class OrgConfig:
    """Everything the generator needs; the same config (and seed) always gives the same organisation.

    ``flow_items`` counts story-level issues (Story, Task, Bug, Tech Debt); epics, initiatives and
    sub-tasks come on top. ``start``/``end`` bound the simulated history; a few imported issues are
    older than ``start`` on purpose (truncated history). The delivery side's source names (Git sources
    per repository live in :mod:`extractors.simulation.delivery.catalog`) only label its data; so do
    the outcome side's (``launchdarkly_source``, ``product_source``), except that the mapping seed's
    flag ↔ issue rows name ``launchdarkly_source``.
    """

    seed: int = 7
    teams: int = 3
    flow_items: int = 1500
    start: datetime = datetime(2026, 5, 1, tzinfo=UTC)
    end: datetime = datetime(2026, 11, 1, tzinfo=UTC)
    jira_source: str = "demo-jira"
    user_timezone: str = "Europe/Berlin"
    github_source: str = "demo-github"
    pagerduty_source: str = "demo-pagerduty"
    launchdarkly_source: str = "demo-launchdarkly"
    product_source: str = "demo-product"

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("OrgConfig.start and .end must be timezone-aware")
        if self.end <= self.start:
            raise ValueError("OrgConfig.end must be after .start")
        if self.teams < MIN_TEAMS:
            raise ValueError(f"OrgConfig.teams must be at least {MIN_TEAMS}")
        if self.flow_items < 1:
            raise ValueError("OrgConfig.flow_items must be positive")
        try:
            ZoneInfo(self.user_timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {self.user_timezone!r}") from exc

    @property
    def start_ms(self) -> int:
        return to_ms(self.start)

    @property
    def end_ms(self) -> int:
        return to_ms(self.end)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.user_timezone)
