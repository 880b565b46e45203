"""The dbt side of the gate, read from the manifest: every mart has an enforced contract, and every
dbt test is a Dagster asset check, blocking unless its severity is warn; publication waits for
every mart."""

import json

import pytest
from dagster import AssetKey

from orchestration.dbt import ensure_manifest
from orchestration.defs.publish import published_marts
from orchestration.defs.transform import dbt_models


@pytest.fixture(scope="module")
def manifest():
    return json.loads(ensure_manifest().read_text())


def _nodes(manifest, resource_type):
    return [n for n in manifest["nodes"].values() if n["resource_type"] == resource_type]


def test_every_mart_has_an_enforced_contract_with_every_column_typed(manifest):
    marts = [n for n in _nodes(manifest, "model") if n["schema"] == "marts"]
    assert marts
    for node in marts:
        assert node["config"]["contract"]["enforced"], node["name"]
        untyped = [name for name, column in node["columns"].items() if not column.get("data_type")]
        assert not untyped, f"{node['name']}: no data_type for {untyped}"


def test_every_dbt_test_is_an_asset_check_and_errors_block(manifest):
    specs = {spec.metadata["dagster_dbt/unique_id"]: spec for spec in dbt_models.check_specs}
    tests = _nodes(manifest, "test")
    assert tests
    for test in tests:
        spec = specs.get(test["unique_id"])
        assert spec is not None, f"{test['unique_id']} is not an asset check (set meta.dagster.ref)"
        assert spec.blocking == (test["config"]["severity"].lower() == "error"), test["unique_id"]


def test_publication_waits_for_every_mart(manifest):
    marts = {AssetKey(["marts", n["name"]]) for n in _nodes(manifest, "model") if n["schema"] == "marts"}
    assert marts <= set(published_marts.dependency_keys)
