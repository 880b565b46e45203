"""Jira → raw: one asset per raw table, materialised together by one extraction of every configured
Jira site (incremental, through the REST API) and export folder."""

import dagster as dg

from extractors.common.raw_store import RawStore
from extractors.jira.client import connect_jira
from extractors.jira.export import load_jira_export
from extractors.jira.extract import CHANGELOGS, ISSUES, REFERENCE_TABLES, TOMBSTONES, extract_jira
from orchestration.config import JiraExportConfig
from orchestration.landing import land_sources, raw_asset
from orchestration.progress import reporter
from orchestration.resources import StreamgaugeResource

JIRA_TABLES = (ISSUES, CHANGELOGS, *REFERENCE_TABLES.values(), TOMBSTONES)


@raw_asset(JIRA_TABLES, "Jira")
def jira_raw(context: dg.AssetExecutionContext, streamgauge: StreamgaugeResource):
    """Incremental extraction of every configured Jira site and export folder."""
    settings = streamgauge.settings
    report = reporter(context, "jira")

    def extract_one(source, store: RawStore) -> dict[str, int]:
        if isinstance(source, JiraExportConfig):
            return load_jira_export(store, source.name, source.path, progress=report).landed
        with connect_jira(source) as client:
            return extract_jira(client, store, source, progress=report).landed

    yield from land_sources(
        context,
        streamgauge,
        JIRA_TABLES,
        [*settings.jira, *settings.jira_exports],
        extract_one,
        "no Jira sources configured (sources.jira / sources.jira_export in streamgauge.yml)",
    )
