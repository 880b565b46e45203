"""The simulated organisation: a seeded company whose sources are served in their real wire formats
(beneath the real HTTP client, or on loopback) and whose ground truth the warehouse is checked against.

    org = SimulatedOrganisation.generate(OrgConfig(seed=7))
    apis = SimulatedApis(org)
    client = httpx.Client(base_url=apis.base_url("jira"), transport=apis.transport(), auth=(...))
    truth = org.jira_truth()
"""

from extractors.simulation.apis import RequestRecord, SimulatedApis
from extractors.simulation.config import OrgConfig
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

__all__ = [
    "EDGE_CASES",
    "DeliveryMilestones",
    "FaultPlan",
    "JiraSite",
    "JiraTruth",
    "OrgConfig",
    "RequestRecord",
    "SimulatedApis",
    "SimulatedInterruption",
    "SimulatedOrganisation",
    "TrueInterval",
    "TrueItem",
    "TrueStageFigures",
]
