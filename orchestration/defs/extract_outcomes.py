"""LaunchDarkly and product files → raw: one asset per raw table, each source kind materialised together.

A source kind with no connection configured still materialises (its tables exist, empty) and logs a
warning. A failing source does not keep the others from landing; the asset fails afterwards, naming
it — a rejected file fails the product-files asset after the good files landed.
"""

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import dagster as dg

from extractors.common.http import HttpStatusError, SourceError
from extractors.common.raw_store import RawStore
from extractors.launchdarkly.client import connect_launchdarkly
from extractors.launchdarkly.extract import LAUNCHDARKLY_TABLES, extract_launchdarkly
from extractors.product_files.kinds import PRODUCT_TABLES
from extractors.product_files.load import load_product_files
from orchestration.progress import reporter
from orchestration.resources import StreamgaugeResource

EXTRACT_RETRY = dg.RetryPolicy(max_retries=2, delay=30, backoff=dg.Backoff.EXPONENTIAL)


def _specs(tables: Sequence[str], kind: str) -> list[dg.AssetSpec]:
    return [
        dg.AssetSpec(
            ["raw", table],
            group_name="raw",
            kinds={"duckdb"},
            description=f"{kind} records as received, one row per record version ({table}).",
        )
        for table in tables
    ]


def retryable(exc: Exception) -> bool:
    """Trying again helps for a throttled or failing API, never for a rejected file or a 4xx."""
    if isinstance(exc, HttpStatusError):
        return exc.status >= 500 or exc.status == 429
    return not isinstance(exc, SourceError)


def _land(
    context: dg.AssetExecutionContext,
    streamgauge: StreamgaugeResource,
    tables: Sequence[str],
    sources: Iterable[Any],
    extract_one: Callable[[Any, RawStore], dict[str, int]],
    missing: str,
) -> Iterator[dg.MaterializeResult]:
    sources = list(sources)
    landed: dict[str, int] = {}
    failures: list[Exception] = []
    with streamgauge.connect() as con:
        store = RawStore(con)
        for source in sources:
            try:
                counts = extract_one(source, store)
            except Exception as exc:  # reported below, after the other sources ran
                context.log.error(f"{source.name}: {exc}")
                failures.append(exc)
                continue
            for table, count in counts.items():
                landed[table] = landed.get(table, 0) + count
        for table in tables:
            store.ensure_table(table)
        totals = {
            table: con.execute(f"SELECT count(*) FROM raw.{table}").fetchall()[0][0] for table in tables
        }
    if not sources:
        context.log.warning(missing)
    if failures:
        raise dg.Failure(
            description="extraction failed:\n" + "\n".join(str(exc) for exc in failures),
            allow_retries=any(retryable(exc) for exc in failures),
        )
    for table in tables:
        yield dg.MaterializeResult(
            asset_key=["raw", table],
            metadata={"rows_landed": landed.get(table, 0), "rows_total": totals[table]},
        )


@dg.multi_asset(
    specs=_specs(LAUNCHDARKLY_TABLES, "LaunchDarkly"), retry_policy=EXTRACT_RETRY, pool="warehouse"
)
def launchdarkly_raw(context: dg.AssetExecutionContext, streamgauge: StreamgaugeResource):
    """Feature flags of every configured project, and the audit log of their changes (incremental)."""
    now = streamgauge.as_of()

    def extract_one(source, store: RawStore) -> dict[str, int]:
        with connect_launchdarkly(source) as client:
            return extract_launchdarkly(
                client, store, source, now=now, progress=reporter(context, "outcomes")
            ).landed

    yield from _land(
        context,
        streamgauge,
        LAUNCHDARKLY_TABLES,
        streamgauge.settings.launchdarkly,
        extract_one,
        "no LaunchDarkly projects configured (sources.launchdarkly in streamgauge.yml)",
    )


@dg.multi_asset(specs=_specs(PRODUCT_TABLES, "Product file"), retry_policy=EXTRACT_RETRY, pool="warehouse")
def product_files_raw(context: dg.AssetExecutionContext, streamgauge: StreamgaugeResource):
    """Daily feature usage, NPS responses, declared values and feature_usage.csv files not loaded yet."""

    def extract_one(source, store: RawStore) -> dict[str, int]:
        return load_product_files(store, source, progress=reporter(context, "outcomes")).landed

    yield from _land(
        context,
        streamgauge,
        PRODUCT_TABLES,
        streamgauge.settings.product_files,
        extract_one,
        "no product files configured (sources.product_files in streamgauge.yml)",
    )
