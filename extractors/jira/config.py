"""Settings of one Jira Cloud connection, and its credentials read from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import httpx

from extractors.common.http import SourceError

DEFAULT_FIELDS = (
    "summary",
    "status",
    "issuetype",
    "project",
    "created",
    "updated",
    "resolutiondate",
    "resolution",
    "parent",
    "labels",
    "priority",
    "assignee",
    "reporter",
)


@dataclass(frozen=True)
class JiraSourceConfig:
    """One Jira site. ``jql`` (or ``projects``) bounds what is extracted."""

    name: str
    base_url: str
    email_env: str = "JIRA_EMAIL"
    token_env: str = "JIRA_API_TOKEN"
    bearer_env: str | None = None
    projects: tuple[str, ...] = ()
    jql: str | None = None
    fields: tuple[str, ...] = DEFAULT_FIELDS
    overlap_minutes: int = 60
    page_size: int = 100
    changelog_page_size: int = 1000
    checkpoint_every_records: int = 20_000
    reconcile_deletions: bool = True
    history_horizon: datetime | None = None

    def base_jql(self) -> str:
        """The user's restriction, without ordering; Jira rejects unbounded queries."""
        if self.jql:
            return self.jql
        if self.projects:
            return "project in (" + ", ".join(self.projects) + ")"
        raise SourceError(
            f"jira source {self.name!r}: set `jql` or `projects` in the configuration "
            "(Jira Cloud rejects unbounded searches)"
        )


def jira_auth(config: JiraSourceConfig, environ: Mapping[str, str] = os.environ) -> httpx.Auth:
    """Basic auth from ``email_env`` + ``token_env``, or a bearer token from ``bearer_env``.

    The values are never logged; a missing variable is named in the error, its value never is.
    """
    if config.bearer_env:
        token = environ.get(config.bearer_env)
        if not token:
            raise SourceError(
                f"jira source {config.name!r}: environment variable {config.bearer_env} is not set"
            )
        return _BearerAuth(token)
    missing = [name for name in (config.email_env, config.token_env) if not environ.get(name)]
    if missing:
        raise SourceError(
            f"jira source {config.name!r}: environment variable(s) {', '.join(missing)} not set "
            "(an Atlassian account e-mail and API token)"
        )
    return httpx.BasicAuth(environ[config.email_env], environ[config.token_env])


class _BearerAuth(httpx.Auth):
    def __init__(self, token: str):
        self._token = token

    def auth_flow(self, request: httpx.Request):
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request

    def __repr__(self) -> str:
        return "BearerAuth(***)"
