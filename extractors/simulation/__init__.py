"""The simulated organisation: a seeded company whose sources are served in their real wire formats
(beneath the real HTTP client, or on loopback) and whose ground truth the warehouse is checked against.

    org = SimulatedOrganisation.generate(OrgConfig(seed=7))
    apis = SimulatedApis(org)
    client = httpx.Client(base_url=apis.base_url("jira"), transport=apis.transport(), auth=(...))
    truth = org.jira_truth()

    paths = org.write_git_repositories(Path("data/repos"))  # {"acme/payments-service": Path, ...}
    github = apis.base_url("github")        # Authorization: Bearer demo-github-token
    pagerduty = apis.base_url("pagerduty")  # Authorization: Token token=demo-pagerduty-token
    dora = org.delivery_truth()

    files = org.write_outcome_files(Path("product"))  # {"usage": folder, "nps": folder, ...}
    launchdarkly = apis.base_url("launchdarkly")  # Authorization: demo-launchdarkly-token
    outcomes = org.outcome_truth()                # releases, adoption, NPS, item outcomes, stage impact
"""

from extractors.simulation.apis import DEFAULT_CREDENTIALS, RequestRecord, SimulatedApis
from extractors.simulation.config import OrgConfig
from extractors.simulation.delivery.catalog import REPOSITORIES, Repository
from extractors.simulation.delivery.truth import (
    ATTRIBUTION_METHODS,
    DELIVERY_EDGE_CASES,
    DeliveryTruth,
    TrueChange,
    TrueCommit,
    TrueDeliveryItem,
    TrueDeployment,
    TrueFailureLink,
    TrueIncident,
    TruePullRequest,
)
from extractors.simulation.faults import FaultPlan, SimulatedInterruption
from extractors.simulation.jira.ground_truth import (
    EDGE_CASES,
    JiraTruth,
    TrueInterval,
    TrueItem,
    TrueStageFigures,
)
from extractors.simulation.jira.site import DeliveryMilestones, JiraSite
from extractors.simulation.organisation import SimulatedOrganisation
from extractors.simulation.outcomes.model import OutcomeModel, SimFlag
from extractors.simulation.outcomes.truth import (
    OutcomeSettings,
    OutcomeTruth,
    TrueFeatureNps,
    TrueItemOutcome,
    TrueLink,
    TrueRelease,
    TrueStageImpact,
    TrueWindow,
)

__all__ = [
    "ATTRIBUTION_METHODS",
    "DEFAULT_CREDENTIALS",
    "DELIVERY_EDGE_CASES",
    "EDGE_CASES",
    "REPOSITORIES",
    "DeliveryMilestones",
    "DeliveryTruth",
    "FaultPlan",
    "JiraSite",
    "JiraTruth",
    "OrgConfig",
    "OutcomeModel",
    "OutcomeSettings",
    "OutcomeTruth",
    "Repository",
    "RequestRecord",
    "SimulatedApis",
    "SimulatedInterruption",
    "SimFlag",
    "SimulatedOrganisation",
    "TrueChange",
    "TrueCommit",
    "TrueDeliveryItem",
    "TrueDeployment",
    "TrueFeatureNps",
    "TrueFailureLink",
    "TrueIncident",
    "TrueInterval",
    "TrueItem",
    "TrueItemOutcome",
    "TrueLink",
    "TruePullRequest",
    "TrueRelease",
    "TrueStageFigures",
    "TrueStageImpact",
    "TrueWindow",
]
