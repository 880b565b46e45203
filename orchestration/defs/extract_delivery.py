"""Git, GitHub and PagerDuty → raw: one asset per raw table, each source kind materialised together.

A source kind with no connection configured still materialises (its tables exist, empty) and logs a
warning, so the main job runs with whatever subset of sources a team has. Listings that end at "now"
(workflow runs, incidents) end at the run's ``as_of`` (``warehouse.as_of`` when pinned).
"""

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import dagster as dg

from extractors.common.http import HttpStatusError
from extractors.common.raw_store import RawStore
from extractors.git.extract import GIT_TABLES, extract_git
from extractors.git.repo import GitError
from extractors.github.client import connect_github
from extractors.github.extract import GITHUB_TABLES, extract_github
from extractors.pagerduty.client import connect_pagerduty
from extractors.pagerduty.extract import PAGERDUTY_TABLES, extract_pagerduty
from orchestration.progress import reporter
from orchestration.resources import StreamgaugeResource

EXTRACT_RETRY = dg.RetryPolicy(max_retries=2, delay=30, backoff=dg.Backoff.EXPONENTIAL)


def _specs(tables: Sequence[str], kind: str) -> list[dg.AssetSpec]:
    return [
        dg.AssetSpec(
            ["raw", table],
            group_name="raw",
            kinds={"duckdb"},
            description=f"{kind} payloads as received, one row per record version ({table}).",
        )
        for table in tables
    ]


def retryable(exc: Exception) -> bool:
    """Whether trying again later may help: not for a broken clone or a 4xx other than 429."""
    if isinstance(exc, GitError):
        return False
    if isinstance(exc, HttpStatusError):
        return exc.status >= 500 or exc.status == 429
    return True


def _land(
    context: dg.AssetExecutionContext,
    streamgauge: StreamgaugeResource,
    tables: Sequence[str],
    sources: Iterable[Any],
    extract_one: Callable[[Any, RawStore], dict[str, int]],
    missing: str,
) -> Iterator[dg.MaterializeResult]:
    """Run ``extract_one`` for every configured source, then report rows landed and held per table.

    A failing source does not keep the others from landing; the asset fails afterwards, naming it.
    """
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
        totals = {table: con.execute(f"SELECT count(*) FROM raw.{table}").fetchone()[0] for table in tables}
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


@dg.multi_asset(specs=_specs(GIT_TABLES, "Git"), retry_policy=EXTRACT_RETRY, pool="warehouse")
def git_raw(context: dg.AssetExecutionContext, streamgauge: StreamgaugeResource):
    """Commits and refs of every configured local clone (incremental from the ref tips seen last)."""

    def extract_one(source, store: RawStore) -> dict[str, int]:
        return extract_git(store, source, progress=reporter(context, "delivery")).landed

    yield from _land(
        context,
        streamgauge,
        GIT_TABLES,
        streamgauge.settings.git,
        extract_one,
        "no Git repositories configured (sources.git in streamgauge.yml)",
    )


@dg.multi_asset(specs=_specs(GITHUB_TABLES, "GitHub"), retry_policy=EXTRACT_RETRY, pool="warehouse")
def github_raw(context: dg.AssetExecutionContext, streamgauge: StreamgaugeResource):
    """Pull requests with commits and reviews, deployments with statuses, workflow runs and releases."""
    now = streamgauge.as_of()

    def extract_one(source, store: RawStore) -> dict[str, int]:
        with connect_github(source) as client:
            return extract_github(
                client, store, source, now=now, progress=reporter(context, "delivery")
            ).landed

    yield from _land(
        context,
        streamgauge,
        GITHUB_TABLES,
        streamgauge.settings.github,
        extract_one,
        "no GitHub connections configured (sources.github in streamgauge.yml)",
    )


@dg.multi_asset(specs=_specs(PAGERDUTY_TABLES, "PagerDuty"), retry_policy=EXTRACT_RETRY, pool="warehouse")
def pagerduty_raw(context: dg.AssetExecutionContext, streamgauge: StreamgaugeResource):
    """Incidents (by creation window, open ones followed until resolved) and their log entries."""
    now = streamgauge.as_of()

    def extract_one(source, store: RawStore) -> dict[str, int]:
        with connect_pagerduty(source) as client:
            return extract_pagerduty(
                client, store, source, now=now, progress=reporter(context, "delivery")
            ).landed

    yield from _land(
        context,
        streamgauge,
        PAGERDUTY_TABLES,
        streamgauge.settings.pagerduty,
        extract_one,
        "no PagerDuty accounts configured (sources.pagerduty in streamgauge.yml)",
    )
