"""Shared simulated organisations. Session-scoped ones must not be mutated (no clock moves, no
deletions); tests that change an organisation build their own small one."""

from __future__ import annotations

import pytest

from extractors.simulation import OrgConfig, SimulatedApis, SimulatedOrganisation

from .helpers import jira_client

SMALL = OrgConfig(flow_items=120)


@pytest.fixture(scope="session")
def small_org() -> SimulatedOrganisation:
    return SimulatedOrganisation.generate(SMALL)


@pytest.fixture(scope="session")
def default_org() -> SimulatedOrganisation:
    return SimulatedOrganisation.generate(OrgConfig())


@pytest.fixture(scope="session")
def small_truth(small_org):
    return small_org.jira_truth()


@pytest.fixture()
def fresh_org() -> SimulatedOrganisation:
    """A small organisation of the test's own, free to mutate."""
    return SimulatedOrganisation.generate(SMALL)


@pytest.fixture()
def small_jira(small_org):
    apis = SimulatedApis(small_org)
    with jira_client(apis) as client:
        yield client
