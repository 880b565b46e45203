"""Small clients for the simulated Jira, used across the simulation tests."""

from __future__ import annotations

from datetime import datetime

import httpx

from extractors.simulation import SimulatedApis

AUTH = ("demo@example.com", "demo-token")


def jira_client(apis: SimulatedApis, auth=AUTH) -> httpx.Client:
    return httpx.Client(base_url=apis.base_url("jira"), transport=apis.transport(), auth=auth)


def search_pages(
    client: httpx.Client, jql: str, fields: str | None = "*all", max_results: int = 100, method: str = "GET"
) -> list[httpx.Response]:
    """Every page of a search, following nextPageToken."""
    pages, token = [], None
    while True:
        params = {"jql": jql, "maxResults": max_results}
        if fields is not None:
            params["fields"] = fields
        if token:
            params["nextPageToken"] = token
        if method == "GET":
            response = client.get("/rest/api/3/search/jql", params=params)
        else:
            body = {**params, "fields": fields.split(",") if fields else None}
            response = client.post(
                "/rest/api/3/search/jql", json={k: v for k, v in body.items() if v is not None}
            )
        assert response.status_code == 200, response.text
        pages.append(response)
        page = response.json()
        token = page.get("nextPageToken")
        if page["isLast"]:
            assert token is None
            return pages
        assert token


def search_all(client: httpx.Client, jql: str, **kwargs) -> list[dict]:
    return [issue for page in search_pages(client, jql, **kwargs) for issue in page.json()["issues"]]


def bulkfetch_all(
    client: httpx.Client, ids: list[str], max_results: int = 1000, field_ids: list[str] | None = None
) -> tuple[dict[str, list[dict]], int]:
    """Histories by issue id over every page (chunks of 1000 ids), and the number of pages."""
    out: dict[str, list[dict]] = {}
    pages = 0
    for start in range(0, len(ids), 1000):
        token = None
        while True:
            body: dict = {"issueIdsOrKeys": ids[start : start + 1000], "maxResults": max_results}
            if field_ids is not None:
                body["fieldIds"] = field_ids
            if token:
                body["nextPageToken"] = token
            response = client.post("/rest/api/3/changelog/bulkfetch", json=body)
            assert response.status_code == 200, response.text
            pages += 1
            page = response.json()
            for log in page["issueChangeLogs"]:
                out.setdefault(log["issueId"], []).extend(log["changeHistories"])
            token = page.get("nextPageToken")
            if not token:
                break
    return out, pages


def parse_time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z")
