"""The pure rules of the GitHub extractor."""

from datetime import UTC, datetime, timedelta

import pytest

from extractors.common.http import SourceError
from extractors.github.config import GitHubAuth, GitHubSourceConfig, github_token
from extractors.github.extract import page_items
from extractors.github.incremental import (
    DeploymentCursor,
    created_qualifier,
    is_terminal,
    latest_state,
    lower_bound,
    newest,
    parse_github_time,
    split_fresh,
    split_range,
)

T = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_timestamps():
    assert parse_github_time("2026-03-01T12:00:00Z") == T
    assert parse_github_time("2026-03-01T13:00:00+01:00") == T
    with pytest.raises(ValueError):
        parse_github_time("2026-03-01T12:00:00")


def test_lower_bound_subtracts_the_overlap_but_respects_history_start():
    hour = timedelta(hours=1)
    assert lower_bound(None, hour, None) is None
    assert lower_bound(None, hour, T) == T
    assert lower_bound(T, hour, None) == T - hour
    assert lower_bound(T, hour, T - timedelta(minutes=5)) == T - timedelta(minutes=5)


def test_split_fresh_stops_at_the_first_older_item():
    items = [{"u": "2026-03-01T12:00:00Z"}, {"u": "2026-03-01T11:00:00Z"}, {"u": "2026-03-01T10:59:59Z"}]
    assert split_fresh(items, "u", None) == (items, False)
    assert split_fresh(items, "u", T - timedelta(hours=1)) == (items[:2], True)
    assert split_fresh(items[:2], "u", T - timedelta(hours=1)) == (items[:2], False)
    assert newest(None, items, "u") == T and newest(T + timedelta(1), items, "u") == T + timedelta(1)


def test_latest_deployment_state_and_terminal_states():
    statuses = [
        {"id": 3, "created_at": "2026-03-01T12:00:00Z", "state": "in_progress"},
        {"id": 5, "created_at": "2026-03-01T12:00:00Z", "state": "success"},
        {"id": 4, "created_at": "2026-03-01T11:00:00Z", "state": "queued"},
    ]
    assert latest_state(statuses) == "success" and latest_state([]) is None
    assert is_terminal("inactive") and is_terminal("error") and not is_terminal("in_progress")
    assert not is_terminal(None)


def test_deployment_cursor_round_trip():
    assert DeploymentCursor.parse(None) == DeploymentCursor()
    cursor = DeploymentCursor(T, {"12": "2026-03-01T11:00:00Z", "3": "2026-02-01T00:00:00Z"})
    assert cursor.dump() == (
        '{"created_at":"2026-03-01T12:00:00Z",'
        '"open":{"3":"2026-02-01T00:00:00Z","12":"2026-03-01T11:00:00Z"}}'
    )
    assert DeploymentCursor.parse(cursor.dump()) == cursor


def test_created_ranges_split_into_adjacent_halves():
    low, up = T, T + timedelta(seconds=9)
    assert created_qualifier(low, up) == "2026-03-01T12:00:00Z..2026-03-01T12:00:09Z"
    older, newer = split_range(low, up)
    assert older == (T, T + timedelta(seconds=4)) and newer == (T + timedelta(seconds=5), up)
    assert split_range(T, T + timedelta(seconds=1)) == ((T, T), (T + timedelta(seconds=1),) * 2)
    with pytest.raises(ValueError):
        split_range(T, T)


def test_config_validates_repositories_and_token_is_named_never_shown():
    with pytest.raises(SourceError, match="owner/name"):
        GitHubSourceConfig("gh", ("just-a-name",))
    config = GitHubSourceConfig("gh", ("acme/app",), token_env="MY_GH")
    with pytest.raises(SourceError, match="MY_GH is not set"):
        github_token(config, {})
    assert github_token(config, {"MY_GH": "s3cret"}) == "s3cret"
    assert "s3cret" not in repr(GitHubAuth("s3cret"))


def test_page_items_require_a_list():
    assert page_items([{"id": 1}], "s", "GET /x") == [{"id": 1}]
    assert page_items({"workflow_runs": []}, "s", "GET /r", "workflow_runs") == []
    with pytest.raises(SourceError, match="s: GET /x did not return a list"):
        page_items({"message": "Not Found"}, "s", "GET /x")
