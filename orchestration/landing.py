"""What every extract asset shares: its raw-table specs, its retry policy, and how it lands sources.

An extract asset is one multi-asset per source kind, one asset per raw table, materialised together.
A source kind with no connection configured still materialises (its tables exist, empty) and logs a
warning, so the main job runs with whatever subset of sources a team has. A failing source does not
keep the others from landing; the asset fails afterwards, naming it.

Landing runs the raw-level data-quality gate (:mod:`orchestration.gates`): the asset's checks come
from what the run's batches recorded, and are reported even when a source failed.
"""

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import dagster as dg

from extractors.common.http import HttpStatusError, SourceError
from extractors.common.raw_store import RawStore
from orchestration.gates import build_gate, check_results, raw_check_specs
from orchestration.resources import StreamgaugeResource

EXTRACT_RETRY = dg.RetryPolicy(max_retries=2, delay=30, backoff=dg.Backoff.EXPONENTIAL)


def raw_specs(tables: Sequence[str], kind: str) -> list[dg.AssetSpec]:
    return [
        dg.AssetSpec(
            ["raw", table],
            group_name="raw",
            kinds={"duckdb"},
            description=f"{kind} records as received, one row per record version ({table}).",
        )
        for table in tables
    ]


def raw_asset(tables: Sequence[str], kind: str):
    """The multi-asset decorator of one source kind's raw tables, with their checks."""
    return dg.multi_asset(
        specs=raw_specs(tables, kind),
        check_specs=raw_check_specs(tables),
        retry_policy=EXTRACT_RETRY,
        pool="warehouse",
    )


def retryable(exc: Exception) -> bool:
    """Trying again helps for a throttled, failing or unreachable API; never for a rejected record,
    file or clone, or a 4xx other than 429."""
    if isinstance(exc, HttpStatusError):
        return exc.status >= 500 or exc.status == 429
    return not isinstance(exc, SourceError)


def land_sources(
    context: dg.AssetExecutionContext,
    streamgauge: StreamgaugeResource,
    tables: Sequence[str],
    sources: Iterable[Any],
    extract_one: Callable[[Any, RawStore], dict[str, int]],
    missing: str,
) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult]:
    """Run ``extract_one`` (rows landed per table) for every source, then report rows landed and held
    per table and the tables' checks; raise afterwards, naming each source that failed."""
    sources = list(sources)
    landed: dict[str, int] = {}
    failures: list[Exception] = []
    with streamgauge.connect() as con:
        store = RawStore(con, gate=build_gate(streamgauge.settings))
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
        checks = list(check_results(con, streamgauge.settings, tables, sources, store.batch_ids, context.log))
    if not sources:
        context.log.warning(missing)
    if failures:
        yield from checks
        raise dg.Failure(
            description="extraction failed:\n" + "\n".join(str(exc) for exc in failures),
            allow_retries=any(retryable(exc) for exc in failures),
        )
    for table in tables:
        yield dg.MaterializeResult(
            asset_key=["raw", table],
            metadata={"rows_landed": landed.get(table, 0), "rows_total": totals[table]},
        )
    yield from checks
