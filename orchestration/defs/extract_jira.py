"""Jira → raw: one asset per raw table, materialised together by one extraction."""

import dagster as dg

from extractors.common.raw_store import RawStore
from extractors.jira.client import connect_jira
from extractors.jira.export import load_jira_export
from extractors.jira.extract import CHANGELOGS, ISSUES, REFERENCE_TABLES, TOMBSTONES, extract_jira
from orchestration.progress import reporter
from orchestration.resources import StreamgaugeResource

JIRA_TABLES = (ISSUES, CHANGELOGS, *REFERENCE_TABLES.values(), TOMBSTONES)

EXTRACT_RETRY = dg.RetryPolicy(max_retries=2, delay=30, backoff=dg.Backoff.EXPONENTIAL)


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            ["raw", table],
            group_name="raw",
            kinds={"duckdb"},
            description=f"Jira payloads as received, one row per record ({table}).",
        )
        for table in JIRA_TABLES
    ],
    retry_policy=EXTRACT_RETRY,
    pool="warehouse",
)
def jira_raw(context: dg.AssetExecutionContext, streamgauge: StreamgaugeResource):
    """Incremental extraction of every configured Jira site and export folder."""
    settings = streamgauge.settings
    report = reporter(context, "jira")
    landed: dict[str, int] = {}
    with streamgauge.connect() as con:
        store = RawStore(con)
        for source in settings.jira:
            with connect_jira(source) as client:
                extraction = extract_jira(client, store, source, progress=report)
            for table, count in extraction.landed.items():
                landed[table] = landed.get(table, 0) + count
        for export in settings.jira_exports:
            export_report = load_jira_export(store, export.name, export.path, progress=report)
            for table, count in export_report.landed.items():
                landed[table] = landed.get(table, 0) + count
        for table in JIRA_TABLES:
            store.ensure_table(table)
        totals = {
            table: con.execute(f"SELECT count(*) FROM raw.{table}").fetchone()[0] for table in JIRA_TABLES
        }
    if not settings.jira and not settings.jira_exports:
        report("no Jira sources configured (sources.jira / sources.jira_export in streamgauge.yml)")
    for table in JIRA_TABLES:
        yield dg.MaterializeResult(
            asset_key=["raw", table],
            metadata={"rows_landed": landed.get(table, 0), "rows_total": totals[table]},
        )
