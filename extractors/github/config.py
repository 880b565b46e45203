"""Settings of one GitHub connection, and its token read from the environment."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import httpx

from extractors.common.http import SourceError

API_VERSION = "2022-11-28"
MEDIA_TYPE = "application/vnd.github+json"
_REPOSITORY = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")


@dataclass(frozen=True)
class GitHubSourceConfig:
    """One GitHub (or GitHub Enterprise Server: ``base_url`` ``https://host/api/v3``) connection.

    ``history_start`` bounds the first run (pull requests updated and workflow runs created before it
    are not read). ``run_lookback_days`` re-reads that much of the workflow-run history on every run,
    so re-run attempts of recent runs land as new versions (GitHub allows re-runs for 30 days).
    Deployments whose latest status is not terminal are followed for ``deployment_follow_days``.
    """

    name: str
    repositories: tuple[str, ...]
    base_url: str = "https://api.github.com"
    token_env: str = "GITHUB_TOKEN"
    overlap_minutes: int = 60
    page_size: int = 100
    history_start: datetime | None = None
    run_lookback_days: int = 7
    deployment_follow_days: int = 30

    def __post_init__(self) -> None:
        bad = [r for r in self.repositories if not _REPOSITORY.match(r)]
        if bad:
            raise SourceError(f"github source {self.name!r}: repositories must be `owner/name`, not {bad}")


def github_token(config: GitHubSourceConfig, environ: Mapping[str, str] = os.environ) -> str:
    """The token from ``token_env``; a missing variable is named in the error, a value never is."""
    token = environ.get(config.token_env)
    if not token:
        raise SourceError(
            f"github source {config.name!r}: environment variable {config.token_env} "
            "is not set (a personal access token or GitHub App installation token with "
            "read access)"
        )
    return token


class GitHubAuth(httpx.Auth):
    """``Authorization: Bearer <token>``; the token stays out of ``repr`` and logs."""

    def __init__(self, token: str):
        self._token = token

    def auth_flow(self, request: httpx.Request):
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request

    def __repr__(self) -> str:
        return "GitHubAuth(***)"


def github_headers() -> dict[str, str]:
    return {"Accept": MEDIA_TYPE, "X-GitHub-Api-Version": API_VERSION}
