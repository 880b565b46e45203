from datetime import UTC, datetime
from pathlib import Path

import pytest

from orchestration.config import (
    DEFAULT_MEMORY_LIMIT,
    MEMORY_LIMIT_ENV,
    ConfigError,
    load_settings,
    parse_settings,
)

REPO = Path(__file__).resolve().parents[2]


def test_the_example_configuration_parses():
    settings = load_settings(REPO / "streamgauge.example.yml")
    assert settings.warehouse.data_dir == REPO / "data"
    assert settings.warehouse.timezone == "Europe/Berlin"
    (jira,) = settings.jira
    assert jira.name == "acme-jira" and jira.projects == ("PAY", "MOB") and jira.token_env == "JIRA_API_TOKEN"
    assert settings.jira_exports[0].path == REPO / "exports" / "jira"


def test_defaults_without_a_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("STREAMGAUGE_CONFIG", raising=False)
    settings = load_settings()
    assert settings.jira == () and settings.warehouse.working_path == tmp_path / "data" / "warehouse.duckdb"


def test_a_named_file_that_is_missing_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_settings(tmp_path / "nope.yml")


def test_unknown_keys_are_named():
    with pytest.raises(ConfigError, match=r"sources.jira\[0\]: unknown key\(s\) \['tokn_env'\]"):
        parse_settings({"sources": {"jira": [{"name": "j", "base_url": "u", "tokn_env": "X"}]}}, Path("."))
    with pytest.raises(ConfigError, match="unknown top-level"):
        parse_settings({"warehous": {}}, Path("."))


def test_timestamps_are_utc():
    settings = parse_settings(
        {
            "warehouse": {"as_of": "2026-11-01T01:00:00+01:00"},
            "sources": {"jira": [{"name": "j", "base_url": "u", "history_horizon": "2024-01-01"}]},
        },
        Path("."),
    )
    assert settings.warehouse.as_of == datetime(2026, 11, 1, tzinfo=UTC)
    assert settings.history_horizons() == {"j": "2024-01-01T00:00:00+00:00"}


def test_bad_yaml_is_reported(tmp_path):
    path = tmp_path / "c.yml"
    path.write_text("warehouse: [unclosed")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_settings(path)


def test_the_example_configures_git_github_and_pagerduty():
    settings = load_settings(REPO / "streamgauge.example.yml")
    (git,) = settings.git
    assert git.name == "payments-git" and git.path == REPO / "repos" / "payments"
    assert git.repository == "acme/payments"
    assert git.ref_prefixes == ("refs/heads/", "refs/remotes/", "refs/tags/")
    (github,) = settings.github
    assert github.repositories == ("acme/payments", "acme/mobile") and github.token_env == "GITHUB_TOKEN"
    assert github.base_url == "https://api.github.com"
    assert github.history_start == datetime(2025, 1, 1, tzinfo=UTC)
    (pagerduty,) = settings.pagerduty
    assert pagerduty.service_ids == ("PSVC123", "PSVC456") and pagerduty.token_env == "PAGERDUTY_TOKEN"
    assert pagerduty.base_url == "https://api.pagerduty.com"


def test_delivery_sources_default_and_validate(tmp_path):
    settings = parse_settings(
        {
            "sources": {
                "git": [{"name": "g", "path": "../clone", "repository": "o/r"}],
                "github": [{"name": "gh", "repositories": ["o/r"]}],
                "pagerduty": [{"name": "pd"}],
            }
        },
        tmp_path,
    )
    assert settings.git[0].path == (tmp_path / ".." / "clone").resolve()
    assert settings.github[0].history_start is None and settings.pagerduty[0].service_ids == ()
    assert parse_settings({}, tmp_path).git == ()
    with pytest.raises(ConfigError, match=r"sources.git\[0\]: `repository` is required"):
        parse_settings({"sources": {"git": [{"name": "g", "path": "p"}]}}, tmp_path)
    with pytest.raises(ConfigError, match=r"sources.github\[0\]: unknown key\(s\) \['repos'\]"):
        parse_settings({"sources": {"github": [{"name": "gh", "repos": ["o/r"]}]}}, tmp_path)
    with pytest.raises(ConfigError, match=r"sources.github\[0\].repositories: expected a list"):
        parse_settings({"sources": {"github": [{"name": "gh", "repositories": "o/r"}]}}, tmp_path)
    with pytest.raises(ConfigError, match=r"sources.github\[0\]: .*must be `owner/name`"):
        parse_settings({"sources": {"github": [{"name": "gh", "repositories": ["r"]}]}}, tmp_path)
    with pytest.raises(ConfigError, match=r"`sources.pagerduty` must be a list"):
        parse_settings({"sources": {"pagerduty": {"name": "pd"}}}, tmp_path)
    with pytest.raises(ConfigError, match=r"sources.pagerduty\[0\].history_start: 'soon' is not an ISO date"):
        parse_settings({"sources": {"pagerduty": [{"name": "pd", "history_start": "soon"}]}}, tmp_path)


def test_unknown_source_kinds_are_named():
    with pytest.raises(ConfigError, match=r"unknown source kind\(s\) \['pagerduy'\]"):
        parse_settings({"sources": {"pagerduy": []}}, Path("."))


def test_the_example_configures_launchdarkly_and_product_files():
    settings = load_settings(REPO / "streamgauge.example.yml")
    (ld,) = settings.launchdarkly
    assert ld.name == "acme-launchdarkly" and ld.project_key == "acme" and ld.token_env == "LD_API_TOKEN"
    assert ld.history_start == datetime(2025, 1, 1, tzinfo=UTC) and ld.environments == ()
    (files,) = settings.product_files
    assert files.usage == REPO / "exports" / "usage" and files.nps == REPO / "exports" / "nps"
    assert files.feature_usage == REPO / "exports" / "feature_usage.csv"


def test_launchdarkly_and_product_files_entries_are_checked(tmp_path):
    settings = parse_settings(
        {
            "sources": {
                "launchdarkly": [{"name": "ld", "project_key": "acme", "environments": ["production"]}],
                "product_files": [{"name": "pf", "usage": "usage", "feature_usage": "../f.csv"}],
            }
        },
        tmp_path,
    )
    assert settings.launchdarkly[0].base_url == "https://app.launchdarkly.com"
    assert settings.launchdarkly[0].environments == ("production",)
    assert settings.product_files[0].usage == tmp_path / "usage"
    assert settings.product_files[0].feature_usage == (tmp_path / ".." / "f.csv").resolve()
    assert settings.product_files[0].nps is None
    with pytest.raises(ConfigError, match=r"sources.launchdarkly\[0\]: `project_key` is required"):
        parse_settings({"sources": {"launchdarkly": [{"name": "ld"}]}}, tmp_path)
    with pytest.raises(ConfigError, match=r"sources.launchdarkly\[0\]: .*audit_page_size must be 1 … 20"):
        entry = {"name": "ld", "project_key": "p", "audit_page_size": 50}
        parse_settings({"sources": {"launchdarkly": [entry]}}, tmp_path)
    with pytest.raises(ConfigError, match=r"sources.product_files\[0\]: name at least one of usage"):
        parse_settings({"sources": {"product_files": [{"name": "pf"}]}}, tmp_path)
    with pytest.raises(ConfigError, match=r"sources.product_files\[0\]: unknown key\(s\) \['usages'\]"):
        parse_settings({"sources": {"product_files": [{"name": "pf", "usages": "u"}]}}, tmp_path)


def test_the_working_database_spills_past_the_memory_limit(tmp_path, monkeypatch):
    from orchestration.resources import StreamgaugeResource

    config = tmp_path / "streamgauge.yml"
    config.write_text(f"warehouse:\n  data_dir: {tmp_path / 'data'}\n")
    resource = StreamgaugeResource(config_path=str(config))
    monkeypatch.delenv(MEMORY_LIMIT_ENV, raising=False)
    with resource.connect() as con:
        assert con.execute("SELECT current_setting('memory_limit')").fetchone()[0] == "3.7 GiB"  # 4GB
    monkeypatch.setenv(MEMORY_LIMIT_ENV, "512MB")
    with resource.connect() as con:
        assert con.execute("SELECT current_setting('memory_limit')").fetchone()[0] == "488.2 MiB"


def test_dbt_reads_the_same_memory_limit_with_the_same_default():
    profile = (REPO / "dbt_project" / "profiles.yml").read_text()
    assert f"memory_limit: \"{{{{ env_var('{MEMORY_LIMIT_ENV}', '{DEFAULT_MEMORY_LIMIT}') }}}}\"" in profile
