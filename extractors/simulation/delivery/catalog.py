"""The delivery side's fixed cast: the two repositories and the services they deploy, their
environments and tiers, release-train hours and merge habits, and the PagerDuty services.

The names are contracts: the demo configuration uses the git sources ``demo-git-payments`` and
``demo-git-mobile``, the GitHub source ``demo-github`` and the PagerDuty source ``demo-pagerduty``;
the DORA seeds map ``production``/``prod-eu`` to the production tier, ``staging`` to staging and
``qa``/``preview-*`` to other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from extractors.simulation.delivery.identities import node_id

OWNER = "acme"
GITHUB_API = "https://api.github.com"
GITHUB_WEB = "https://github.com"
PAGERDUTY_API = "https://api.pagerduty.com"
PAGERDUTY_WEB = "https://acme.pagerduty.com"

PRODUCTION, STAGING, OTHER = "production", "staging", "other"
ENVIRONMENT_TIERS: tuple[tuple[str, str], ...] = (  # (case-insensitive regex, tier), first match wins
    (r"^production$", PRODUCTION),
    (r"^prod-eu$", PRODUCTION),
    (r"^staging$", STAGING),
    (r"^qa$", OTHER),
    (r"^preview-.*$", OTHER),
)

MERGE, SQUASH, REBASE = "merge", "squash", "rebase"


def environment_tier(environment: str) -> str:
    """The tier an environment name maps to (``other`` when no pattern matches)."""
    for pattern, tier in ENVIRONMENT_TIERS:
        if re.match(pattern, environment, re.IGNORECASE):
            return tier
    return OTHER


@dataclass(frozen=True)
class Repository:
    """One GitHub repository, the service it deploys and the habits of the people who work in it."""

    index: int
    name: str
    github_id: int
    git_source: str
    service: str
    pagerduty_id: str
    pagerduty_name: str
    project_key: str  # Jira project whose work lands here (PLAT work lands in either)
    package: str  # top directory of the generated source files
    modules: tuple[str, ...]
    files: tuple[str, ...]
    manifest: str  # what dependabot bumps
    ecosystem: str  # dependabot's branch segment
    dependencies: tuple[str, ...]
    merge_shares: tuple[float, float, float]  # merge commit, squash, rebase
    train_hours: tuple[float, ...]  # UTC hours of the weekday release-train cuts
    eu_train_weekday: int | None  # the first train of this weekday also deploys to prod-eu
    qa_share: float  # PRs deployed to the qa environment while in review
    preview_share: float  # PRs deployed to preview-<number> when ready for review
    on_demand_share: float  # released items deployed on demand rather than by the next train
    incident_share: float  # production deployments followed by an incident
    code_freeze: bool  # a week with a single train around 70 % of the period, then a big one

    @property
    def full_name(self) -> str:
        return f"{OWNER}/{self.name}"

    @property
    def node_id(self) -> str:
        return node_id("Repository", self.github_id)


PAYMENTS = Repository(
    index=0,
    name="payments-service",
    github_id=612_004_117,
    git_source="demo-git-payments",
    service="payments-api",
    pagerduty_id="PPAY001",
    pagerduty_name="payments-api",
    project_key="PAY",
    package="payments",
    modules=("api", "ledger", "refunds", "payouts", "fraud", "webhooks", "settlement", "billing"),
    files=("handlers.py", "models.py", "service.py", "validation.py", "client.py", "tasks.py"),
    manifest="requirements.txt",
    ecosystem="pip",
    dependencies=("requests", "sqlalchemy", "pydantic", "boto3", "stripe", "celery", "structlog"),
    merge_shares=(0.6, 0.3, 0.1),
    train_hours=(9.5, 14.5),
    eu_train_weekday=0,
    qa_share=0.12,
    preview_share=0.0,
    on_demand_share=0.08,
    incident_share=0.07,
    code_freeze=False,
)
MOBILE = Repository(
    index=1,
    name="mobile-app",
    github_id=612_004_389,
    git_source="demo-git-mobile",
    service="mobile-backend",
    pagerduty_id="PMOB001",
    pagerduty_name="mobile-backend",
    project_key="MOB",
    package="backend",
    modules=("sessions", "push", "profiles", "offline", "feeds", "media", "auth"),
    files=("routes.py", "models.py", "service.py", "serializers.py", "jobs.py"),
    manifest="package.json",
    ecosystem="npm_and_yarn",
    dependencies=("react-native", "axios", "lodash", "expo", "redux", "date-fns", "i18next"),
    merge_shares=(0.25, 0.7, 0.05),
    train_hours=(10.0,),
    eu_train_weekday=None,
    qa_share=0.0,
    preview_share=0.35,
    on_demand_share=0.05,
    incident_share=0.09,
    code_freeze=True,
)
REPOSITORIES: tuple[Repository, ...] = (PAYMENTS, MOBILE)


def repository_for(project_key: str, issue_id: int) -> Repository:
    """Where an issue's work lands: PAY in payments, MOB in mobile, PLAT (and other teams) in either."""
    for repo in REPOSITORIES:
        if repo.project_key == project_key:
            return repo
    return REPOSITORIES[(issue_id * 2_654_435_761 >> 7) % len(REPOSITORIES)]
