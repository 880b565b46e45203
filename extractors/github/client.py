"""The GitHub REST endpoints streamgauge reads; every list follows ``Link: rel="next"``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from extractors.common.http import ApiClient
from extractors.common.paging import iter_link_pages
from extractors.github.config import GitHubAuth, GitHubSourceConfig, github_headers, github_token

Pages = Iterator[tuple[str, Any]]


class GitHubClient:
    """Thin access to the endpoints; every method yields ``(request, page)`` with pages as received."""

    def __init__(self, api: ApiClient, page_size: int = 100):
        self.api = api
        self.page_size = page_size

    @property
    def source(self) -> str:
        return self.api.source

    def __enter__(self) -> GitHubClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.api.close()

    def _pages(self, path: str, **params: Any) -> Pages:
        return iter_link_pages(self.api, path, {**params, "per_page": self.page_size})

    def pulls(self, repo: str) -> Pages:
        """Every pull request, most recently updated first."""
        return self._pages(f"/repos/{repo}/pulls", state="all", sort="updated", direction="desc")

    def pull_commits(self, repo: str, number: int) -> Pages:
        return self._pages(f"/repos/{repo}/pulls/{number}/commits")

    def pull_reviews(self, repo: str, number: int) -> Pages:
        return self._pages(f"/repos/{repo}/pulls/{number}/reviews")

    def pull_timeline(self, repo: str, number: int) -> Pages:
        """The PR's issue timeline: the only place GitHub records when a draft became ready for review."""
        return self._pages(f"/repos/{repo}/issues/{number}/timeline")

    def deployments(self, repo: str) -> Pages:
        """Deployments, newest first."""
        return self._pages(f"/repos/{repo}/deployments")

    def deployment_statuses(self, repo: str, deployment_id: int | str) -> Pages:
        return self._pages(f"/repos/{repo}/deployments/{deployment_id}/statuses")

    def workflow_runs(self, repo: str, created: str | None = None) -> Pages:
        """Workflow runs (``{"total_count", "workflow_runs": [...]}`` pages), newest first.

        ``created`` is a search qualifier such as ``2026-01-01T00:00:00Z..2026-01-31T23:59:59Z``; with it
        GitHub returns at most 1,000 runs, so callers keep each range below that.
        """
        params = {"created": created} if created else {}
        return self._pages(f"/repos/{repo}/actions/runs", **params)

    def releases(self, repo: str) -> Pages:
        return self._pages(f"/repos/{repo}/releases")


def connect_github(config: GitHubSourceConfig, **client_options: Any) -> GitHubClient:
    """A client for one configured connection; the token comes from the environment."""
    api = ApiClient(
        config.name,
        config.base_url,
        auth=GitHubAuth(github_token(config)),
        headers=github_headers(),
        **client_options,
    )
    return GitHubClient(api, config.page_size)
