"""``/rest/api/3/changelog/bulkfetch`` and the per-issue fallback: paging, limits, keys old and new,
field filters, shuffled histories and the shapes of the change items."""

from __future__ import annotations

from datetime import UTC, datetime

from extractors.simulation import OrgConfig, SimulatedApis, SimulatedOrganisation

from .helpers import bulkfetch_all, jira_client, parse_time

BULK = "/rest/api/3/changelog/bulkfetch"


def test_paging_across_issues_returns_every_history_once(small_jira, small_truth):
    ids = list(small_truth.items)
    whole, pages_whole = bulkfetch_all(small_jira, ids)
    paged, pages = bulkfetch_all(small_jira, ids, max_results=7)
    assert pages_whole == 1 and pages > 100
    assert paged == whole
    all_ids = [h["id"] for hs in paged.values() for h in hs]
    assert len(all_ids) == len(set(all_ids))


def test_one_issue_may_span_pages(small_jira, small_truth):
    busy = max(small_truth.flow_items(), key=lambda item: len(item.intervals))
    first = small_jira.post(BULK, json={"issueIdsOrKeys": [busy.issue_id], "maxResults": 3}).json()
    assert [len(log["changeHistories"]) for log in first["issueChangeLogs"]] == [3] and first["nextPageToken"]
    second = small_jira.post(
        BULK,
        json={"issueIdsOrKeys": [busy.issue_id], "maxResults": 3, "nextPageToken": first["nextPageToken"]},
    ).json()
    assert second["issueChangeLogs"][0]["issueId"] == busy.issue_id
    mismatch = small_jira.post(
        BULK, json={"issueIdsOrKeys": [busy.issue_key], "nextPageToken": first["nextPageToken"]}
    )
    assert mismatch.status_code == 400


def test_the_last_page_has_no_token(small_jira, small_truth):
    page = small_jira.post(BULK, json={"issueIdsOrKeys": list(small_truth.items)[:5]}).json()
    assert "nextPageToken" not in page


def test_id_limit(small_jira):
    ids = [str(10_000 + n) for n in range(1001)]
    assert small_jira.post(BULK, json={"issueIdsOrKeys": ids}).status_code == 400
    assert small_jira.post(BULK, json={"issueIdsOrKeys": ids[:1000]}).status_code == 200
    assert small_jira.post(BULK, json={"issueIdsOrKeys": []}).status_code == 400


def test_moved_issue_by_old_key_and_its_move_items(small_jira, small_truth):
    moved = small_truth.with_edge_case("moved_project")[0]
    histories, _ = bulkfetch_all(small_jira, [moved.issue_id])
    old_key = next(
        it["fromString"] for h in histories[moved.issue_id] for it in h["items"] if it["field"] == "Key"
    )
    assert old_key.startswith("PAY-") and moved.issue_key.startswith("MOB-")
    for name in (old_key, moved.issue_key, moved.issue_id):
        logs = small_jira.post(BULK, json={"issueIdsOrKeys": [name]}).json()["issueChangeLogs"]
        assert [log["issueId"] for log in logs] == [moved.issue_id]
    items = [it for log in logs for h in log["changeHistories"] for it in h["items"]]
    assert {
        "field": "project",
        "fieldtype": "jira",
        "fieldId": "project",
        "from": "10000",
        "fromString": "Payments",
        "to": "10001",
        "toString": "Mobile",
    } in items
    assert {
        "field": "Key",
        "fieldtype": "jira",
        "from": None,
        "fromString": old_key,
        "to": None,
        "toString": moved.issue_key,
    } in items
    assert small_jira.get(f"/rest/api/3/issue/{old_key}/changelog").status_code == 200


def test_field_filter(small_jira, small_truth):
    ids = list(small_truth.items)
    every, _ = bulkfetch_all(small_jira, ids)
    statuses, _ = bulkfetch_all(small_jira, ids, field_ids=["status"])
    for issue_id, histories in statuses.items():
        assert all(it["fieldId"] == "status" for h in histories for it in h["items"])
        assert len(histories) == sum(
            1 for h in every[issue_id] if any(it["field"] == "status" for it in h["items"])
        )
    retyped = small_truth.with_edge_case("type_changed")[0]
    types, _ = bulkfetch_all(small_jira, [retyped.issue_id], field_ids=["issuetype"])
    [history] = types[retyped.issue_id]
    assert history["items"] == [
        {
            "field": "issuetype",
            "fieldtype": "jira",
            "fieldId": "issuetype",
            "from": "10001",
            "fromString": "Story",
            "to": "10004",
            "toString": "Bug",
        }
    ]


def test_out_of_order_issue_is_shuffled_others_are_ascending(small_jira, small_truth):
    histories, _ = bulkfetch_all(small_jira, list(small_truth.items))
    shuffled = {item.issue_id for item in small_truth.with_edge_case("out_of_order")}
    for issue_id, hs in histories.items():
        ids = [int(h["id"]) for h in hs]
        assert (ids != sorted(ids)) == (issue_id in shuffled)
    fallback = small_jira.get(f"/rest/api/3/issue/{next(iter(shuffled))}/changelog").json()["values"]
    assert [int(h["id"]) for h in fallback] == sorted(int(h["id"]) for h in fallback)


def test_equal_timestamps_are_ordered_by_history_id(small_jira, small_truth):
    item = small_truth.with_edge_case("equal_timestamps")[0]
    histories, _ = bulkfetch_all(small_jira, [item.issue_id])
    by_time: dict[str, list[dict]] = {}
    for h in sorted(histories[item.issue_id], key=lambda h: int(h["id"])):
        by_time.setdefault(h["created"], []).append(h)
    twins = [hs for hs in by_time.values() if len(hs) > 1]
    assert twins
    for first, second in twins:
        assert first["items"][-1]["to"] == second["items"][-1]["from"]


def test_clock_skew_and_bulk_bot_on_the_wire(small_jira, small_truth):
    skewed = small_truth.with_edge_case("clock_skew")[0]
    histories, _ = bulkfetch_all(small_jira, [skewed.issue_id])
    assert min(parse_time(h["created"]) for h in histories[skewed.issue_id]) < skewed.created_at
    swept = [item.issue_id for item in small_truth.with_edge_case("bulk_bot")]
    histories, _ = bulkfetch_all(small_jira, swept)
    bot = [h for hs in histories.values() for h in hs if h["author"]["accountType"] == "app"]
    assert {h["author"]["displayName"] for h in bot} == {"Automation for Jira"}
    assert len({h["created"] for h in bot if h["items"][-1]["toString"] == "Won't Do"}) == 1


def test_history_shape_and_status_names_of_their_time(small_jira, small_truth):
    rename = datetime(2026, 7, 1, tzinfo=UTC)
    item = next(
        it
        for it in small_truth.with_edge_case("renamed_status")
        if any(iv.status_id == "10106" and iv.entered_at < rename < iv.exited_at for iv in it.intervals)
    )
    histories, _ = bulkfetch_all(small_jira, [item.issue_id])
    history = histories[item.issue_id][0]
    assert set(history) == {"id", "author", "created", "items"}
    assert {"accountId", "displayName", "accountType", "active", "timeZone"} <= set(history["author"])
    changes = [
        (parse_time(h["created"]), it)
        for h in histories[item.issue_id]
        for it in h["items"]
        if it["field"] == "status"
    ]
    entered = [it["toString"] for when, it in changes if it["to"] == "10106"]
    left = [it["fromString"] for when, it in changes if it["from"] == "10106"]
    assert "QA" in entered and "In Test" in left


def test_resolution_items_accompany_done(small_jira, small_truth):
    reopened = small_truth.with_edge_case("reopened")[0]
    histories, _ = bulkfetch_all(small_jira, [reopened.issue_id])
    resolutions = [
        it for h in histories[reopened.issue_id] for it in h["items"] if it["field"] == "resolution"
    ]
    assert [it["toString"] for it in resolutions][:2] == ["Done", None]


def test_fallback_changelog_paging(small_jira, small_truth):
    item = max(small_truth.flow_items(), key=lambda it: len(it.intervals))
    url = f"/rest/api/3/issue/{item.issue_key}/changelog"
    first = small_jira.get(url, params={"maxResults": 4}).json()
    assert set(first) == {"self", "maxResults", "startAt", "total", "isLast", "values"}
    assert (first["startAt"], first["maxResults"], first["isLast"]) == (0, 4, False)
    values, start = [], 0
    while True:
        page = small_jira.get(url, params={"startAt": start, "maxResults": 4}).json()
        values += page["values"]
        start += 4
        if page["isLast"]:
            break
    assert len(values) == first["total"]
    assert small_jira.get("/rest/api/3/issue/NOPE-1/changelog").status_code == 404


def test_issues_not_yet_created_have_no_changelog():
    org = SimulatedOrganisation.generate(OrgConfig(flow_items=120))
    late = max(org.jira_truth().flow_items(), key=lambda item: item.created_at)
    org.set_clock(late.created_at.replace(microsecond=0) - (late.created_at - org.config.start) / 2)
    with jira_client(SimulatedApis(org)) as client:
        assert client.get(f"/rest/api/3/issue/{late.issue_id}/changelog").status_code == 404
        assert client.post(BULK, json={"issueIdsOrKeys": [late.issue_id]}).json() == {"issueChangeLogs": []}


def test_site_configuration_endpoints(small_jira):
    statuses = small_jira.get("/rest/api/3/status").json()
    by_id = {s["id"]: s for s in statuses}
    assert by_id["10106"]["name"] == "In Test" and by_id["10001"]["statusCategory"]["key"] == "done"
    assert {"1", "3", "4", "5", "6", "10000", "10112"} <= set(by_id)
    types = {t["id"]: t for t in small_jira.get("/rest/api/3/issuetype").json()}
    assert (types["10006"]["hierarchyLevel"], types["10003"]["subtask"]) == (2, True)
    fields = {f["id"]: f for f in small_jira.get("/rest/api/3/field").json()}
    assert (
        fields["customfield_10016"]["name"] == "Story point estimate"
        and fields["customfield_10016"]["custom"]
    )
    assert {
        "id",
        "key",
        "name",
        "custom",
        "orderable",
        "navigable",
        "searchable",
        "clauseNames",
        "schema",
    } == set(fields["status"])
    me = small_jira.get("/rest/api/3/myself").json()
    assert me["timeZone"] == "Europe/Berlin" and me["emailAddress"] == "demo@example.com"
