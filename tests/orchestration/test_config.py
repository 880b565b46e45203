from datetime import UTC, datetime
from pathlib import Path

import pytest

from orchestration.config import ConfigError, load_settings, parse_settings

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
    settings = parse_settings({"warehouse": {"as_of": "2026-11-01T01:00:00+01:00"},
                               "sources": {"jira": [{"name": "j", "base_url": "u", "history_horizon": "2024-01-01"}]}},
                              Path("."))
    assert settings.warehouse.as_of == datetime(2026, 11, 1, tzinfo=UTC)
    assert settings.history_horizons() == {"j": "2024-01-01T00:00:00+00:00"}


def test_bad_yaml_is_reported(tmp_path):
    path = tmp_path / "c.yml"
    path.write_text("warehouse: [unclosed")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_settings(path)
