"""Git, GitHub and PagerDuty → raw: one asset per raw table, each source kind materialised together.

A source kind with no connection configured still materialises (its tables exist, empty) and logs a
warning, so the main job runs with whatever subset of sources a team has. Listings that end at "now"
(workflow runs, incidents) end at the run's ``as_of`` (``warehouse.as_of`` when pinned).
"""

import dagster as dg

from extractors.common.raw_store import RawStore
from extractors.git.extract import GIT_TABLES, extract_git
from extractors.github.client import connect_github
from extractors.github.extract import GITHUB_TABLES, extract_github
from extractors.pagerduty.client import connect_pagerduty
from extractors.pagerduty.extract import PAGERDUTY_TABLES, extract_pagerduty
from orchestration.landing import land_sources, raw_asset
from orchestration.progress import reporter
from orchestration.resources import StreamgaugeResource


@raw_asset(GIT_TABLES, "Git")
def git_raw(context: dg.AssetExecutionContext, streamgauge: StreamgaugeResource):
    """Commits and refs of every configured local clone (incremental from the ref tips seen last)."""

    def extract_one(source, store: RawStore) -> dict[str, int]:
        return extract_git(store, source, progress=reporter(context, "delivery")).landed

    yield from land_sources(
        context,
        streamgauge,
        GIT_TABLES,
        streamgauge.settings.git,
        extract_one,
        "no Git repositories configured (sources.git in streamgauge.yml)",
    )


@raw_asset(GITHUB_TABLES, "GitHub")
def github_raw(context: dg.AssetExecutionContext, streamgauge: StreamgaugeResource):
    """Pull requests with commits and reviews, deployments with statuses, workflow runs and releases."""
    now = streamgauge.as_of()

    def extract_one(source, store: RawStore) -> dict[str, int]:
        with connect_github(source) as client:
            return extract_github(
                client, store, source, now=now, progress=reporter(context, "delivery")
            ).landed

    yield from land_sources(
        context,
        streamgauge,
        GITHUB_TABLES,
        streamgauge.settings.github,
        extract_one,
        "no GitHub connections configured (sources.github in streamgauge.yml)",
    )


@raw_asset(PAGERDUTY_TABLES, "PagerDuty")
def pagerduty_raw(context: dg.AssetExecutionContext, streamgauge: StreamgaugeResource):
    """Incidents (by creation window, open ones followed until resolved) and their log entries."""
    now = streamgauge.as_of()

    def extract_one(source, store: RawStore) -> dict[str, int]:
        with connect_pagerduty(source) as client:
            return extract_pagerduty(
                client, store, source, now=now, progress=reporter(context, "delivery")
            ).landed

    yield from land_sources(
        context,
        streamgauge,
        PAGERDUTY_TABLES,
        streamgauge.settings.pagerduty,
        extract_one,
        "no PagerDuty accounts configured (sources.pagerduty in streamgauge.yml)",
    )
