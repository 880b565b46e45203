"""The Jira Cloud REST v3 endpoints streamgauge reads, with their pagination."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from extractors.common.http import ApiClient, HttpStatusError
from extractors.common.paging import describe_request, iter_token_pages
from extractors.jira.config import JiraSourceConfig, jira_auth

API = "/rest/api/3"
MAX_BULK_CHANGELOG_IDS = 1000
MAX_ID_ONLY_PAGE = 5000


class JiraClient:
    """Thin, typed access to the endpoints; every method returns payloads exactly as received."""

    def __init__(self, api: ApiClient):
        self.api = api

    @property
    def source(self) -> str:
        return self.api.source

    def __enter__(self) -> JiraClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.api.close()

    def myself(self) -> dict[str, Any]:
        return self.api.get_json(f"{API}/myself")

    def reference_list(self, entity: str) -> tuple[str, list[dict[str, Any]]]:
        """``status``, ``issuetype`` or ``field``: the whole list, and the request that returned it."""
        path = f"{API}/{entity}"
        return describe_request("GET", path), self.api.get_json(path)

    def search(self, jql: str, fields: Sequence[str], page_size: int) -> Iterator[tuple[str, dict[str, Any]]]:
        """``GET /search/jql`` pages (``nextPageToken`` / ``isLast``)."""
        path = f"{API}/search/jql"
        base = {"jql": jql, "fields": ",".join(fields), "maxResults": page_size}
        requests: list[str] = []

        def fetch(token: str | None) -> dict[str, Any]:
            params = {**base, "nextPageToken": token}
            requests.append(describe_request("GET", path, params))
            return self.api.get_json(path, {k: v for k, v in params.items() if v is not None})

        for page in iter_token_pages(fetch, source=self.source):
            yield requests[-1], page

    def issue_ids(self, jql: str) -> Iterator[str]:
        """Every issue id the query matches (id-only pages of up to 5000)."""
        for _, page in self.search(jql, ("id",), MAX_ID_ONLY_PAGE):
            for issue in page.get("issues", []):
                yield str(issue["id"])

    def bulk_changelogs(
        self, issue_ids: Sequence[str], page_size: int
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        """``POST /changelog/bulkfetch`` pages for up to 1000 issues at a time."""
        path = f"{API}/changelog/bulkfetch"
        for start in range(0, len(issue_ids), MAX_BULK_CHANGELOG_IDS):
            chunk = list(issue_ids[start : start + MAX_BULK_CHANGELOG_IDS])
            requests: list[str] = []

            def fetch(
                token: str | None, chunk: list[str] = chunk, requests: list[str] = requests
            ) -> dict[str, Any]:
                body: dict[str, Any] = {"issueIdsOrKeys": chunk, "maxResults": page_size}
                if token:
                    body["nextPageToken"] = token
                requests.append(
                    f"POST {path} issues={chunk[0]}..{chunk[-1]} ({len(chunk)})"
                    + (f" nextPageToken={token}" if token else "")
                )
                return self.api.post_json(path, body)

            for page in iter_token_pages(fetch, source=self.source, last_key=None):
                yield requests[-1], page

    def issue_is_gone(self, issue_id: str) -> bool:
        """True when Jira answers 404 for the issue: it was deleted (or is no longer visible)."""
        try:
            self.api.get(f"{API}/issue/{issue_id}/changelog", {"maxResults": 1})
        except HttpStatusError as exc:
            if exc.status == 404:
                return True
            raise
        return False


def connect_jira(config: JiraSourceConfig, **client_options: Any) -> JiraClient:
    """A client for one configured site; credentials come from the environment."""
    return JiraClient(ApiClient(config.name, config.base_url, auth=jira_auth(config), **client_options))
