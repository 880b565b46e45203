"""The corruption plans the gate tests and `streamgauge demo --corrupt` inject: what each rewrites."""

from __future__ import annotations

import orjson
import pytest

from extractors.simulation.corruption import CORRUPTIONS, NEW_FIELD, UNKNOWN_ENVIRONMENT, CorruptionPlan
from extractors.simulation.wire import json_response
from orchestration.cli import build_parser

SEARCH = "/rest/api/3/search/jql"
BULK = "/rest/api/3/changelog/bulkfetch"
DEPLOYMENTS = "/repos/acme/payments-service/deployments"


def search_page():
    fields = {"status": {"id": "3"}, "created": "2026-06-01T10:00:00.000+0200", "updated": "x"}
    return {
        "issues": [{"id": "1", "fields": dict(fields)}, {"id": "2", "fields": dict(fields)}],
        "nextPageToken": "t",
    }


def served(kind, source, path, page):
    response = CorruptionPlan(kind).respond(source, path, json_response(200, page))
    return orjson.loads(response.body)


def test_an_unknown_kind_is_refused_and_the_cli_offers_every_kind():
    with pytest.raises(ValueError, match="unknown corruption"):
        CorruptionPlan("gremlins")
    for kind in CORRUPTIONS:
        assert build_parser().parse_args(["demo", "--corrupt", kind]).corrupt == kind


def test_issue_corruptions_touch_the_newest_issue_of_a_search_page():
    assert "created" not in served("missing_field", "jira", SEARCH, search_page())["issues"][-1]["fields"]
    assert (
        served("unknown_status", "jira", SEARCH, search_page())["issues"][-1]["fields"]["status"]["id"]
        == "99999"
    )
    assert all(NEW_FIELD in i for i in served("schema_change", "jira", SEARCH, search_page())["issues"])
    empty = served("empty_page", "jira", SEARCH, search_page())
    assert empty["issues"] == [] and empty["isLast"] and "nextPageToken" not in empty
    id_only = {"issues": [{"id": "1"}], "isLast": True}
    assert (
        served("empty_page", "jira", SEARCH, id_only) == id_only
    )  # the deletion check's listing is left alone


def test_changelog_and_deployment_corruptions():
    page = {"issueChangeLogs": [{"issueId": "1", "changeHistories": [{"id": "9", "created": "2026-06-02"}]}]}
    assert (
        served("duplicate_events", "jira", BULK, page)["issueChangeLogs"][0]["changeHistories"]
        == [{"id": "9", "created": "2026-06-02"}] * 2
    )
    early = served("changelog_before_creation", "jira", BULK, page)["issueChangeLogs"][0]["changeHistories"]
    assert early[0]["created"].startswith("2019-")
    deployments = [{"id": 5, "environment": "production", "original_environment": "production",
                    "created_at": "2026-08-11T16:41:24Z", "updated_at": "2026-08-11T16:50:00Z"}]  # fmt: skip
    assert (
        served("unknown_environment", "github", DEPLOYMENTS, deployments)[0]["environment"]
        == UNKNOWN_ENVIRONMENT
    )
    assert served("clock_skew", "github", DEPLOYMENTS, deployments)[0]["updated_at"] == "2026-08-11T13:41:24Z"
    assert served("clock_skew", "pagerduty", DEPLOYMENTS, deployments) == deployments


def test_malformed_json_writes_a_cut_short_export_line(tmp_path):
    folder = CorruptionPlan("malformed_json").write_export(tmp_path / "export")
    line = (folder / "issues.jsonl").read_text().strip()
    with pytest.raises(orjson.JSONDecodeError):
        orjson.loads(line)
    assert CorruptionPlan("unknown_status").write_export(tmp_path / "none") is None
