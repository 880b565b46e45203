"""How the suite splits across pytest-xdist workers (``make test`` runs ``-n 2 --dist loadgroup``).

Most of the suite's time is spent in module-scoped fixtures (a dbt build each) and in the session's
``flow_pipeline`` (two whole pipeline runs). Each module therefore runs on one worker, so its
fixtures are built once; every test on ``flow_pipeline`` runs on the same worker, so the shared
pipeline is built once; and that group is handed out first, because it is the longest.
"""

from __future__ import annotations

import pytest

SHARED_PIPELINE_FIXTURE = "flow_pipeline"


def xdist_group_of(nodeid: str, fixturenames: list[str]) -> str:
    """The worker group of a test: the shared pipeline's group, or its module's path."""
    if SHARED_PIPELINE_FIXTURE in fixturenames:
        return SHARED_PIPELINE_FIXTURE
    return nodeid.split("::", 1)[0]


@pytest.hookimpl(tryfirst=True)  # before xdist reads the marks to build the work units
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("dist", "no") != "loadgroup":
        return
    for item in items:
        item.add_marker(pytest.mark.xdist_group(xdist_group_of(item.nodeid, item.fixturenames)))
    items.sort(key=lambda item: SHARED_PIPELINE_FIXTURE not in item.fixturenames)
