from datetime import UTC, datetime, timedelta

import pytest

from extractors.common.http import SourceError
from extractors.jira.config import JiraSourceConfig, jira_auth
from extractors.jira.extract import history_records, issue_record, issue_updated_at
from extractors.jira.timestamps import incremental_jql, jql_datetime, parse_jira_timestamp


def test_parse_jira_timestamps_to_utc():
    assert parse_jira_timestamp("2026-05-03T10:15:30.123+0200") == datetime(
        2026, 5, 3, 8, 15, 30, 123000, UTC
    )
    assert parse_jira_timestamp("2020-06-17T13:04:03.848+0800") == datetime(2020, 6, 17, 5, 4, 3, 848000, UTC)
    with pytest.raises(ValueError):
        parse_jira_timestamp("2026-05-03")


def test_jql_dates_are_in_the_users_zone_across_dst():
    summer = datetime(2026, 10, 24, 12, 0, 59, tzinfo=UTC)
    winter = datetime(2026, 10, 26, 12, 0, tzinfo=UTC)
    assert jql_datetime(summer, "Europe/Berlin") == "2026/10/24 14:00"
    assert jql_datetime(winter, "Europe/Berlin") == "2026/10/26 13:00"


def test_incremental_jql_subtracts_the_overlap():
    cursor = datetime(2026, 6, 1, 10, 30, tzinfo=UTC)
    assert (
        incremental_jql("project in (A)", None, timedelta(minutes=60), "UTC")
        == "(project in (A)) ORDER BY updated ASC"
    )
    assert (
        incremental_jql("project in (A)", cursor, timedelta(minutes=60), "UTC")
        == '(project in (A)) AND updated >= "2026/06/01 09:30" ORDER BY updated ASC'
    )


def test_base_jql_requires_a_restriction():
    assert JiraSourceConfig("j", "https://x", projects=("A", "B")).base_jql() == "project in (A, B)"
    assert JiraSourceConfig("j", "https://x", jql="labels = x").base_jql() == "labels = x"
    with pytest.raises(SourceError, match="unbounded"):
        JiraSourceConfig("j", "https://x").base_jql()


def test_auth_names_missing_variables_but_never_values():
    config = JiraSourceConfig("acme", "https://x", projects=("A",))
    with pytest.raises(SourceError, match="JIRA_EMAIL, JIRA_API_TOKEN"):
        jira_auth(config, {})
    auth = jira_auth(config, {"JIRA_EMAIL": "a@b.c", "JIRA_API_TOKEN": "t0k3n"})
    assert "t0k3n" not in repr(auth)
    bearer = jira_auth(JiraSourceConfig("acme", "https://x", bearer_env="TOK"), {"TOK": "s3cret"})
    assert "s3cret" not in repr(bearer)


def test_history_records_are_parented_by_issue():
    page = {"issueChangeLogs": [{"issueId": "10", "changeHistories": [{"id": "5"}, {"id": "6"}]}]}
    assert [(r.record_id, r.parent_id) for r in history_records(page, "s")] == [("5", "10"), ("6", "10")]


def test_records_without_ids_name_the_source_and_record():
    with pytest.raises(SourceError, match="s: an issue .* has no `id` \\(key 'A-1'\\)"):
        issue_record({"key": "A-1"}, "s")
    with pytest.raises(SourceError, match="change history of issue '10' has no `id`"):
        history_records({"issueChangeLogs": [{"issueId": "10", "changeHistories": [{}]}]}, "s")
    with pytest.raises(SourceError, match="A-1 has no `fields.updated`"):
        issue_updated_at({"key": "A-1", "fields": {}}, "s")
