"""The delivery assets in Dagster: a configured clone lands; unconfigured kinds warn and still materialise."""

from __future__ import annotations

import dagster as dg
import duckdb
import httpx
import yaml

from orchestration.defs.extract_delivery import git_raw, github_raw, pagerduty_raw
from orchestration.resources import StreamgaugeResource
from tests.extractors.test_git_extract import Repo, build_history


def materialise(tmp_path, sources: dict) -> dg.ExecuteInProcessResult:
    config = tmp_path / "streamgauge.yml"
    config.write_text(yaml.safe_dump({"warehouse": {"data_dir": "data"}, "sources": sources}))
    return dg.materialize(
        [git_raw, github_raw, pagerduty_raw],
        resources={"streamgauge": StreamgaugeResource(config_path=str(config))},
        raise_on_error=False,
    )


def metadata(result: dg.ExecuteInProcessResult) -> dict[str, tuple[int, int]]:
    return {
        m.asset_key.path[-1]: (m.metadata["rows_landed"].value, m.metadata["rows_total"].value)
        for m in result.asset_materializations_for_node("git_raw")
        + result.asset_materializations_for_node("github_raw")
        + result.asset_materializations_for_node("pagerduty_raw")
    }


def test_a_clone_lands_and_missing_sources_only_warn(tmp_path, capfd):
    build_history(Repo(tmp_path / "clone"))
    result = materialise(tmp_path, {"git": [{"name": "acme-git", "path": "clone", "repository": "acme/app"}]})
    assert result.success
    counts = metadata(result)
    assert counts["git_commits"] == (5, 5) and counts["git_refs"] == (4, 4)
    assert counts["github_pull_requests"] == (0, 0) and counts["pagerduty_incidents"] == (0, 0)
    logged = capfd.readouterr().err
    assert "WARNING" in logged and "no GitHub connections configured (sources.github" in logged
    assert "no PagerDuty accounts configured (sources.pagerduty" in logged
    again = metadata(
        materialise(tmp_path, {"git": [{"name": "acme-git", "path": "clone", "repository": "acme/app"}]})
    )
    assert again["git_commits"] == (0, 5)
    with duckdb.connect(str(tmp_path / "data" / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM raw.github_releases").fetchone() == (0,)


def test_a_failing_clone_fails_the_asset_after_the_others_landed(tmp_path):
    build_history(Repo(tmp_path / "clone"))
    result = materialise(
        tmp_path,
        {
            "git": [
                {"name": "broken", "path": "missing", "repository": "acme/x"},
                {"name": "acme-git", "path": "clone", "repository": "acme/app"},
            ]
        },
    )
    assert not result.success
    (failure,) = [e for e in result.all_events if e.is_step_failure]
    assert "broken: the repository path" in failure.step_failure_data.error.message
    with duckdb.connect(str(tmp_path / "data" / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM raw.git_commits").fetchone() == (5,)


def test_github_and_pagerduty_sources_land_through_the_assets(tmp_path, monkeypatch):
    from extractors.github.client import connect_github
    from extractors.pagerduty.client import connect_pagerduty
    from orchestration.defs import extract_delivery
    from tests.extractors import test_github_extract as gh
    from tests.extractors import test_pagerduty_extract as pd

    github, pagerduty = gh.FakeGitHub(), pd.FakePagerDuty()
    gh.populate(github)
    pd.populate(pagerduty)
    monkeypatch.setenv("GITHUB_TOKEN", gh.TOKEN)
    monkeypatch.setenv("PAGERDUTY_TOKEN", pd.TOKEN)
    monkeypatch.setattr(
        extract_delivery,
        "connect_github",
        lambda source: connect_github(
            source, transport=httpx.MockTransport(github.handler), sleep=lambda s: None
        ),
    )
    monkeypatch.setattr(
        extract_delivery,
        "connect_pagerduty",
        lambda source: connect_pagerduty(
            source, transport=httpx.MockTransport(pagerduty.handler), sleep=lambda s: None
        ),
    )
    config = tmp_path / "streamgauge.yml"
    config.write_text(
        yaml.safe_dump(
            {
                "warehouse": {"data_dir": "data", "as_of": gh.NOW.isoformat()},
                "sources": {
                    "github": [{"name": "acme-gh", "base_url": gh.BASE, "repositories": [gh.REPO]}],
                    "pagerduty": [{"name": "acme-pd", "base_url": pd.BASE, "history_start": "2025-01-01"}],
                },
            }
        )
    )
    result = dg.materialize(
        [github_raw, pagerduty_raw], resources={"streamgauge": StreamgaugeResource(config_path=str(config))}
    )
    counts = {
        m.asset_key.path[-1]: m.metadata["rows_landed"].value
        for node in ("github_raw", "pagerduty_raw")
        for m in result.asset_materializations_for_node(node)
    }
    assert counts["github_pull_requests"] == 5 and counts["github_workflow_runs"] == 3
    assert counts["pagerduty_incidents"] == 6 and counts["pagerduty_log_entries"] == 13
