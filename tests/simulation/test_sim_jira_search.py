"""``/rest/api/3/search/jql``: paging, caps, fields, JQL (in the user's zone), the clock, index lag
and deletions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from extractors.simulation import FaultPlan, SimulatedApis

from .helpers import jira_client, parse_time, search_all, search_pages

ALL = "project in (PAY, MOB, PLAT)"
SEARCH = "/rest/api/3/search/jql"


def test_token_paging_covers_every_issue_exactly_once(small_jira, small_truth):
    pages = search_pages(small_jira, f"{ALL} ORDER BY updated ASC", fields="updated", max_results=37)
    ids = [issue["id"] for page in pages for issue in page.json()["issues"]]
    assert sorted(ids) == sorted(small_truth.items) and len(ids) == len(set(ids))
    assert [p.json()["isLast"] for p in pages] == [False] * (len(pages) - 1) + [True]
    assert all(len(p.json()["issues"]) == 37 for p in pages[:-1])
    updated = [parse_time(i["fields"]["updated"]) for p in pages for i in p.json()["issues"]]
    assert updated == sorted(updated)


def test_post_answers_like_get(small_jira):
    jql = f"{ALL} AND updated >= '2026-07-01' ORDER BY created DESC, key"
    got = search_pages(small_jira, jql, fields="summary,status", max_results=25)
    posted = search_pages(small_jira, jql, fields="summary,status", max_results=25, method="POST")
    assert [p.content for p in got] == [p.content for p in posted]


def test_max_results_default_and_caps(small_jira):
    def count(**params) -> int:
        return len(small_jira.get(SEARCH, params={"jql": ALL, **params}).json()["issues"])

    assert count(fields="summary") == 50
    assert count(fields="summary", maxResults=1000) == 100
    assert count(maxResults=1000) == 180  # id/key only: up to 5000
    assert count(fields="id,key", maxResults=1000) == 180
    assert small_jira.get(SEARCH, params={"jql": ALL, "maxResults": 0}).status_code == 400


def test_fields_filtering(small_jira):
    def first(**params) -> dict:
        return small_jira.get(SEARCH, params={"jql": ALL, "maxResults": 1, **params}).json()["issues"][0]

    bare = first()
    assert set(bare) == {"id", "key", "fields"} and bare["fields"] == {}
    assert set(first(fields="status,created")["fields"]) == {"status", "created"}
    everything = first(fields="*all")["fields"]
    assert {
        "summary",
        "status",
        "issuetype",
        "project",
        "created",
        "updated",
        "resolutiondate",
        "resolution",
        "labels",
        "priority",
        "assignee",
        "reporter",
        "customfield_10016",
        "customfield_10020",
    } <= set(everything)
    assert "status" not in first(fields="*navigable,-status")["fields"]
    status = everything["status"]
    assert set(status) == {
        "self",
        "description",
        "iconUrl",
        "name",
        "untranslatedName",
        "id",
        "statusCategory",
    }
    assert status["statusCategory"]["key"] in ("new", "indeterminate", "done")


def test_issue_shape(small_jira, small_truth):
    issues = search_all(small_jira, ALL, fields="*all")
    story = next(i for i in issues if small_truth.items[i["id"]].parent_issue_key)
    assert set(story) == {"expand", "id", "self", "key", "fields"}
    assert story["self"].endswith(f"/rest/api/3/issue/{story['id']}")
    parent = story["fields"]["parent"]
    assert parent["key"] == small_truth.items[story["id"]].parent_issue_key
    assert set(parent["fields"]) == {"summary", "status", "issuetype"}
    orphan = next(i for i in issues if small_truth.items[i["id"]].hierarchy_level == "initiative")
    assert "parent" not in orphan["fields"]
    open_item = next(i for i in issues if i["fields"]["status"]["statusCategory"]["key"] != "done")
    assert open_item["fields"]["resolutiondate"] is None and open_item["fields"]["resolution"] is None
    assert issues[0]["fields"]["project"]["projectTypeKey"] == "software"


def test_unbounded_and_unsupported_jql_is_rejected(small_jira):
    for jql in ("", "ORDER BY updated DESC"):
        response = small_jira.get(SEARCH, params={"jql": jql})
        assert response.status_code == 400
        assert response.json() == {
            "errorMessages": [
                "Unbounded JQL queries are not allowed here. Please add a search restriction to your query."
            ],
            "errors": {},
        }
    for jql, problem in (
        ("status = Done", "status"),
        ("project = PAY OR project = MOB", "OR"),
        ("project = NOPE", "NOPE"),
        ("updated >= 'yesterday'", "yesterday"),
        ("project = PAY ORDER BY rank", "rank"),
    ):
        response = small_jira.get(SEARCH, params={"jql": jql})
        assert response.status_code == 400 and problem in response.json()["errorMessages"][0]


def test_page_tokens_are_bound_to_their_query(small_jira):
    token = small_jira.get(SEARCH, params={"jql": ALL, "maxResults": 5}).json()["nextPageToken"]
    other = small_jira.get(SEARCH, params={"jql": "project = PAY", "nextPageToken": token})
    assert other.status_code == 400
    assert small_jira.get(SEARCH, params={"jql": ALL, "nextPageToken": "garbage!"}).status_code == 400
    assert small_jira.get(SEARCH, params={"jql": ALL, "nextPageToken": token}).status_code == 200


def test_project_clause_accepts_key_name_and_id(small_jira):
    by_key = search_all(small_jira, "project = PAY", fields="project")
    assert {i["fields"]["project"]["key"] for i in by_key} == {"PAY"}
    assert search_all(small_jira, 'project = "Payments"', fields="project") == by_key
    assert search_all(small_jira, "project in (10000)", fields="project") == by_key


def test_order_by_key_sorts_by_project_then_number(small_jira):
    keys = [i["key"] for i in search_all(small_jira, f"{ALL} ORDER BY key ASC", fields=None)]
    assert keys == sorted(keys, key=lambda k: (k.split("-")[0], int(k.split("-")[1])))


def test_updated_filter_reads_dates_in_the_user_zone_across_dst(small_jira):
    """Europe/Berlin: +02:00 until 2026-10-25 01:00 UTC, +01:00 after."""
    issues = search_all(small_jira, ALL, fields="updated")
    updated = {i["id"]: parse_time(i["fields"]["updated"]) for i in issues}
    for literal, instant in (
        ("2026/07/15 10:00", datetime(2026, 7, 15, 8, tzinfo=UTC)),
        ("2026-10-26 00:00", datetime(2026, 10, 25, 23, tzinfo=UTC)),
        ("2026-10-25", datetime(2026, 10, 24, 22, tzinfo=UTC)),
    ):
        found = {i["id"] for i in search_all(small_jira, f'{ALL} AND updated >= "{literal}"', fields=None)}
        assert found == {k for k, v in updated.items() if v >= instant}, literal
        before = {i["id"] for i in search_all(small_jira, f"{ALL} AND updated < '{literal}'", fields=None)}
        assert before == set(updated) - found
    offsets = {i["fields"]["updated"][-5:] for i in issues if "2026-06" in i["fields"]["updated"]}
    assert offsets == {"+0200"}
    assert any(
        i["fields"]["updated"].startswith("2026-10-3") and i["fields"]["updated"].endswith("+0100")
        for i in issues
    )


def test_created_filter(small_jira, small_truth):
    cut = datetime(2026, 8, 1, tzinfo=UTC)
    found = {i["id"] for i in search_all(small_jira, f"{ALL} AND created < '2026/08/01 02:00'", fields=None)}
    assert found == {k for k, item in small_truth.items.items() if item.created_at < cut}


def test_old_search_endpoint_is_gone(small_jira):
    assert small_jira.get("/rest/api/3/search", params={"jql": ALL}).status_code == 410


def test_the_clock_decides_what_exists_and_how_it_looks(fresh_org):
    apis = SimulatedApis(fresh_org)
    past = datetime(2026, 6, 30, 12, tzinfo=UTC)  # before QA was renamed In Test
    truth_then = fresh_org.jira_truth(as_of=past)
    fresh_org.set_clock(past)
    with jira_client(apis) as client:
        issues = search_all(client, ALL, fields="status,updated,created")
    assert {i["id"] for i in issues} == set(truth_then.items)
    for issue in issues:
        item = truth_then.items[issue["id"]]
        assert issue["fields"]["status"]["id"] == item.intervals[-1].status_id
        assert parse_time(issue["fields"]["updated"]) <= past
    renamed = [i for i in issues if i["fields"]["status"]["id"] == "10106"]
    assert renamed and all(i["fields"]["status"]["name"] == "QA" for i in renamed)


def test_index_lag_hides_recent_updates_from_search_only(fresh_org):
    lag = 3 * 24 * 3600
    clock = datetime(2026, 9, 1, tzinfo=UTC)
    fresh_org.set_clock(clock)
    apis = SimulatedApis(fresh_org, faults={"jira": FaultPlan(index_lag_seconds=lag)})
    with jira_client(apis) as client:
        lagging = {
            i["id"]: parse_time(i["fields"]["updated"]) for i in search_all(client, ALL, fields="updated")
        }
        every = set(fresh_org.jira_truth().items)
        hidden = every - set(lagging)
        assert hidden and all(v <= clock - timedelta(seconds=lag) for v in lagging.values())
        logs = client.post("/rest/api/3/changelog/bulkfetch", json={"issueIdsOrKeys": sorted(hidden)}).json()
        assert logs["issueChangeLogs"]


def test_deleted_issues_vanish(fresh_org):
    apis = SimulatedApis(fresh_org)
    truth = fresh_org.jira_truth()
    victim = next(item for item in truth.flow_items() if item.is_completed and len(item.intervals) > 3)
    deleted_at = datetime(2026, 10, 1, tzinfo=UTC)
    assert fresh_org.jira.delete_issue(victim.issue_key, at=deleted_at) == victim.issue_id
    with jira_client(apis) as client:
        assert victim.issue_id not in {i["id"] for i in search_all(client, ALL, fields=None)}
        logs = client.post(
            "/rest/api/3/changelog/bulkfetch", json={"issueIdsOrKeys": [victim.issue_id]}
        ).json()
        assert logs == {"issueChangeLogs": []}
        assert client.get(f"/rest/api/3/issue/{victim.issue_key}/changelog").status_code == 404
        fresh_org.set_clock(deleted_at - timedelta(days=1))
        assert victim.issue_id in {i["id"] for i in search_all(client, ALL, fields=None)}
    assert fresh_org.jira_truth(as_of=deleted_at).items[victim.issue_id].is_deleted
    assert not fresh_org.jira_truth(as_of=deleted_at - timedelta(days=1)).items[victim.issue_id].is_deleted
    assert victim.issue_id not in {i.issue_id for i in fresh_org.jira_truth(as_of=deleted_at).flow_items()}


def test_deleting_a_parent_unlinks_its_children(fresh_org):
    truth = fresh_org.jira_truth()
    child = next(item for item in truth.flow_items() if item.epic_issue_key)
    fresh_org.jira.delete_issue(child.epic_issue_key)
    after = fresh_org.jira_truth().items[child.issue_id]
    assert (
        after.parent_issue_key is None and after.epic_issue_key is None and after.initiative_issue_key is None
    )
    with jira_client(SimulatedApis(fresh_org)) as client:
        [issue] = [i for i in search_all(client, ALL, fields="parent") if i["id"] == child.issue_id]
    assert "parent" not in issue["fields"]
