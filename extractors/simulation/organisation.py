"""The simulated organisation: one seeded company whose sources (Jira today) share people, time
and a serving clock. APIs show each source as of :attr:`SimulatedOrganisation.clock`."""

from __future__ import annotations

from datetime import datetime

from extractors.simulation.config import OrgConfig
from extractors.simulation.jira.generator import generate_jira
from extractors.simulation.jira.ground_truth import JiraTruth, build_truth
from extractors.simulation.jira.model import JiraModel
from extractors.simulation.jira.site import JiraSite
from extractors.simulation.people import People, build_people
from extractors.simulation.timeutil import from_ms, to_ms


class SimulatedOrganisation:
    """A deterministic organisation: ``SimulatedOrganisation.generate(OrgConfig(seed=7))``."""

    def __init__(self, config: OrgConfig, people: People, jira_model: JiraModel):
        self.config = config
        self.people = people
        self._clock_ms = config.end_ms
        self.jira = JiraSite(jira_model, lambda: self._clock_ms)

    @classmethod
    def generate(cls, config: OrgConfig | None = None) -> SimulatedOrganisation:
        config = config or OrgConfig()
        people = build_people(config.teams, config.seed)
        return cls(config, people, generate_jira(config, people))

    @property
    def clock(self) -> datetime:
        """The serving time: APIs show every source as it was at this instant (default: the period's end)."""
        return from_ms(self._clock_ms)

    @property
    def clock_ms(self) -> int:
        return self._clock_ms

    def set_clock(self, moment: datetime) -> None:
        self._clock_ms = to_ms(moment)

    def jira_truth(self, as_of: datetime | None = None, history_horizon: datetime | None = None) -> JiraTruth:
        """Ground truth of the Jira site as of ``as_of`` (default: the clock). ``history_horizon`` mirrors
        the source's configured horizon: issues created before it are not history-complete."""
        return build_truth(self.jira, self.clock if as_of is None else as_of, history_horizon)
