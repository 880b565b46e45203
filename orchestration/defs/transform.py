"""dbt → staging, intermediate and marts (built and tested in the working database)."""

import json
from datetime import datetime

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, dbt_assets

from orchestration.dbt import dbt_project, ensure_manifest, prune_invocation_folders
from orchestration.progress import reporter, run_results_summary
from orchestration.resources import StreamgaugeResource

MANIFEST_PATH = ensure_manifest()
# The run tag that records the as_of the marts were built at (read back by the publish step).
AS_OF_TAG = "streamgauge/as_of"


class StreamgaugeDbtTranslator(DagsterDbtTranslator):
    """Models and seeds are keyed ``[schema, name]``; sources keep ``meta.dagster.asset_key``."""

    def get_asset_key(self, dbt_resource_props):
        if dbt_resource_props["resource_type"] in ("model", "seed", "snapshot"):
            return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props):
        return dbt_resource_props["schema"]


# Every dbt test is an asset check of the model it tests (a singular test that reads several
# models names its model in meta.dagster.ref); tests of severity error are blocking checks.
TRANSLATOR = StreamgaugeDbtTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


def built_as_of(context: dg.OpExecutionContext) -> datetime | None:
    """The as_of this run's dbt build used (its run tag), or None when the run built nothing."""
    run = context.instance.get_run_by_id(context.run.run_id)
    tag = run.tags.get(AS_OF_TAG) if run else None
    return datetime.fromisoformat(tag) if tag else None


def mart_asset_keys() -> list[dg.AssetKey]:
    manifest = json.loads(MANIFEST_PATH.read_text())
    return sorted(
        (
            dg.AssetKey(["marts", node["name"]])
            for node in manifest["nodes"].values()
            if node["resource_type"] == "model" and node["schema"] == "marts"
        ),
        key=lambda key: key.to_user_string(),
    )


def failure_summary(run_results: dict) -> str:
    """One line per failed node: what failed and dbt's message (which names the offending record)."""
    lines = []
    for result in run_results.get("results", []):
        if result.get("status") in ("error", "fail", "runtime error"):
            message = " ".join(str(result.get("message") or "").split())
            lines.append(f"{result['unique_id']}: {message}")
    return "\n".join(lines)


# dbt's unit tests check the models' SQL on fixed inputs, not the data: they belong to development and
# CI (tests/pipeline/test_dbt_unit_tests.py runs every one), not to every scheduled build.
BUILD_ARGUMENTS = ["build", "--exclude-resource-type", "unit_test"]


class DbtBuildConfig(dg.Config):
    full_refresh: bool = False
    """Rebuild the incremental staging models from all raw data (after upgrading streamgauge)."""


@dbt_assets(manifest=MANIFEST_PATH, project=dbt_project, dagster_dbt_translator=TRANSLATOR, pool="warehouse")
def dbt_models(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    streamgauge: StreamgaugeResource,
    config: DbtBuildConfig,
):
    """``dbt build`` with the run's fixed ``as_of``; a failed model or test stops publication."""
    report = reporter(context, "dbt")
    as_of = streamgauge.as_of()
    context.instance.add_run_tags(context.run.run_id, {AS_OF_TAG: as_of.isoformat()})
    dbt_vars = streamgauge.dbt_vars(as_of)
    refresh = ["--full-refresh"] if config.full_refresh else []
    with streamgauge.dbt_environment() as threads:
        report(
            f"dbt build{' --full-refresh' if refresh else ''} as of {dbt_vars['as_of']} UTC, "
            f"{threads} model{'s' if threads > 1 else ''} at a time"
        )
        invocation = dbt.cli(
            [*BUILD_ARGUMENTS, "--vars", json.dumps(dbt_vars), *refresh],
            context=context,
            raise_on_error=False,
        )
        yield from invocation.stream()
    run_results = invocation.get_artifact("run_results.json")
    prune_invocation_folders(invocation.target_path)
    report(run_results_summary(run_results))
    if not invocation.is_successful():
        summary = failure_summary(run_results)
        context.log.error(f"dbt build failed; the marts were not published:\n{summary}")
        raise dg.Failure(description=f"dbt build failed:\n{summary}", allow_retries=False)
