"""LaunchDarkly and product files → raw: one asset per raw table, each source kind materialised together.

A source kind with no connection configured still materialises (its tables exist, empty) and logs a
warning. A failing source does not keep the others from landing; the asset fails afterwards, naming
it — a rejected file fails the product-files asset after the good files landed.
"""

import dagster as dg

from extractors.common.raw_store import RawStore
from extractors.launchdarkly.client import connect_launchdarkly
from extractors.launchdarkly.extract import LAUNCHDARKLY_TABLES, extract_launchdarkly
from extractors.product_files.kinds import PRODUCT_TABLES
from extractors.product_files.load import load_product_files
from orchestration.landing import land_sources, raw_asset
from orchestration.progress import reporter
from orchestration.resources import StreamgaugeResource


@raw_asset(LAUNCHDARKLY_TABLES, "LaunchDarkly")
def launchdarkly_raw(context: dg.AssetExecutionContext, streamgauge: StreamgaugeResource):
    """Feature flags of every configured project, and the audit log of their changes (incremental)."""
    now = streamgauge.as_of()

    def extract_one(source, store: RawStore) -> dict[str, int]:
        with connect_launchdarkly(source) as client:
            return extract_launchdarkly(
                client, store, source, now=now, progress=reporter(context, "outcomes")
            ).landed

    yield from land_sources(
        context,
        streamgauge,
        LAUNCHDARKLY_TABLES,
        streamgauge.settings.launchdarkly,
        extract_one,
        "no LaunchDarkly projects configured (sources.launchdarkly in streamgauge.yml)",
    )


@raw_asset(PRODUCT_TABLES, "Product file")
def product_files_raw(context: dg.AssetExecutionContext, streamgauge: StreamgaugeResource):
    """Daily feature usage, NPS responses, declared values and feature_usage.csv files not loaded yet."""

    def extract_one(source, store: RawStore) -> dict[str, int]:
        return load_product_files(store, source, progress=reporter(context, "outcomes")).landed

    yield from land_sources(
        context,
        streamgauge,
        PRODUCT_TABLES,
        streamgauge.settings.product_files,
        extract_one,
        "no product files configured (sources.product_files in streamgauge.yml)",
    )
