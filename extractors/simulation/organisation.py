"""The simulated organisation: one seeded company whose sources (Jira; Git, GitHub and PagerDuty on
the delivery side; LaunchDarkly and product-analytics files on the outcome side) share people, time
and a serving clock. APIs show each source as of :attr:`SimulatedOrganisation.clock`."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from pathlib import Path

from extractors.simulation.config import OrgConfig
from extractors.simulation.delivery.generator import generate_delivery
from extractors.simulation.delivery.model import DeliveryModel
from extractors.simulation.delivery.truth import ATTRIBUTION_METHODS, DeliveryTruth, build_delivery_truth
from extractors.simulation.delivery.writer import write_repositories
from extractors.simulation.jira.generator import generate_jira
from extractors.simulation.jira.ground_truth import JiraTruth, build_truth
from extractors.simulation.jira.model import JiraModel
from extractors.simulation.jira.site import JiraSite
from extractors.simulation.outcomes.files import write_outcome_files
from extractors.simulation.outcomes.generator import generate_outcomes
from extractors.simulation.outcomes.model import OutcomeModel
from extractors.simulation.outcomes.truth import OutcomeSettings, OutcomeTruth, build_outcome_truth
from extractors.simulation.people import People, build_people
from extractors.simulation.timeutil import from_ms, to_ms


class SimulatedOrganisation:
    """A deterministic organisation: ``SimulatedOrganisation.generate(OrgConfig(seed=7))``."""

    def __init__(self, config: OrgConfig, people: People, jira_model: JiraModel):
        self.config = config
        self.people = people
        self._clock_ms = config.end_ms
        self.jira = JiraSite(jira_model, lambda: self._clock_ms)
        self._delivery: DeliveryModel | None = None
        self._delivery_lock = threading.Lock()
        self._outcomes: OutcomeModel | None = None
        self._outcomes_lock = threading.Lock()

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

    @property
    def delivery(self) -> DeliveryModel:
        """The delivery side (repositories, pull requests, deployments, incidents), generated on first use
        from the Jira site's delivery milestones (about a second for the default organisation)."""
        with self._delivery_lock:
            if self._delivery is None:
                self._delivery = generate_delivery(self.config, self.people, self.jira.model)
            return self._delivery

    def write_git_repositories(self, root: Path | str, as_of: datetime | None = None) -> dict[str, Path]:
        """Write both repositories as real Git clones under ``root/acme/<name>`` as of ``as_of`` (default:
        the clock); returns ``{"acme/payments-service": path, "acme/mobile-app": path}``. Idempotent: an
        up-to-date clone is left alone, one written for another instant is replaced."""
        as_of_ms = self._clock_ms if as_of is None else to_ms(as_of)
        return write_repositories(self.delivery.repos, Path(root), as_of_ms)

    def delivery_truth(
        self,
        as_of: datetime | None = None,
        methods: tuple[str, ...] = ATTRIBUTION_METHODS,
        incident_fix_window: timedelta = timedelta(hours=1),
    ) -> DeliveryTruth:
        """DORA ground truth as of ``as_of`` (default: the clock) with the failure attribution ``methods`` in
        force, in precedence order, and the dbt var ``dora_incident_fix_window_hours`` as
        ``incident_fix_window`` (see :mod:`extractors.simulation.delivery.truth`)."""
        model = self.jira.model
        issue_ids = [str(int(x)) for x in model.issue_id.tolist()]
        keys = {
            i: [
                (since, model.key_text(p, n))
                for since, p, n in model.key_history.get(
                    i, ((int(model.created_ms[i]), int(model.project0[i]), int(model.number0[i])),)
                )
            ]
            for i in model.milestones  # story-level items: the flow items
        }
        return build_delivery_truth(
            self.delivery,
            issue_ids,
            keys,
            self.clock if as_of is None else as_of,
            self.config.github_source,
            methods,
            incident_fix_window,
        )

    # -- the outcome side ---------------------------------------------------------------------------
    @property
    def outcomes(self) -> OutcomeModel:
        """The outcome side (LaunchDarkly flags and their audit log, product usage, NPS responses,
        declared values), generated on first use from the items' first production deployments."""
        with self._outcomes_lock:
            if self._outcomes is None:
                truth = self.delivery_truth(as_of=self.config.end)
                deployed = {
                    issue_id: to_ms(item.first_deployed_at)
                    for issue_id, item in truth.items.items()
                    if item.first_deployed_at is not None
                }
                self._outcomes = generate_outcomes(self.config, self.people, self.jira.model, deployed)
            return self._outcomes

    def write_outcome_files(self, root: Path | str, as_of: datetime | None = None) -> dict[str, Path]:
        """Write the product-usage export (monthly CSV, Parquet and JSON-lines files), the NPS
        responses, the declared values and ``feature_usage.csv`` under ``root`` as of ``as_of``
        (default: the clock). Returns ``{"usage": folder, "nps": folder, "declared_values": file,
        "feature_usage": file}``; files whose content did not change are left alone."""
        as_of_ms = self._clock_ms if as_of is None else to_ms(as_of)
        return write_outcome_files(self.outcomes, Path(root), as_of_ms)

    def flag_issue_link_rows(self) -> list[dict[str, str]]:
        """The rows of the mapping seed ``flag_issue_links.csv`` this organisation needs (flags that
        name no Jira issue themselves)."""
        return [
            {
                "source": self.outcomes.source,
                "flag_key": flag_key,
                "issue_key": issue_key,
                "description": "Simulated demo organisation: a flag created without the Jira integration",
            }
            for flag_key, issue_key in self.outcomes.seed_links
        ]

    def outcome_truth(
        self,
        as_of: datetime | None = None,
        settings: OutcomeSettings | None = None,
        seed_links: list[tuple[str, str]] | None = None,
    ) -> OutcomeTruth:
        """Ground truth of the outcome marts as of ``as_of`` (default: the clock) under the dbt vars
        ``settings`` (see :mod:`extractors.simulation.outcomes.truth`); ``seed_links`` replaces the
        mapping seed's (flag key, issue key) rows (default: :meth:`flag_issue_link_rows`)."""
        moment = self.clock if as_of is None else as_of
        return build_outcome_truth(
            self.outcomes,
            self.jira,
            self.jira_truth(as_of=moment),
            self.delivery_truth(as_of=moment),
            self.config.jira_source,
            moment,
            settings,
            seed_links,
        )
