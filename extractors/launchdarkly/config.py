"""Settings of one LaunchDarkly project, and its API access token read from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import httpx

from extractors.common.http import SourceError

API_VERSION = "20240415"


@dataclass(frozen=True)
class LaunchDarklySourceConfig:
    """One LaunchDarkly project (REST API v2).

    ``environments`` restricts the environments read with each flag (all when empty).
    ``history_start`` bounds the first run's audit log (the whole log when unset); every later run
    reads the entries after the last one it landed, re-reading ``overlap_minutes`` before it.
    ``audit_page_size`` is at most 20 (LaunchDarkly's limit), ``page_size`` at most 100.
    ``concurrent_requests`` audit-log entries of a page are read in full at a time (1 … 10).
    """

    name: str
    project_key: str
    base_url: str = "https://app.launchdarkly.com"
    token_env: str = "LD_API_TOKEN"
    environments: tuple[str, ...] = ()
    history_start: datetime | None = None
    overlap_minutes: int = 60
    page_size: int = 100
    audit_page_size: int = 20
    concurrent_requests: int = 4

    def __post_init__(self) -> None:
        if not 1 <= self.audit_page_size <= 20:
            raise SourceError(f"launchdarkly source {self.name!r}: audit_page_size must be 1 … 20")
        if not 1 <= self.page_size <= 100:
            raise SourceError(f"launchdarkly source {self.name!r}: page_size must be 1 … 100")
        if not 1 <= self.concurrent_requests <= 10:
            raise SourceError(f"launchdarkly source {self.name!r}: concurrent_requests must be 1 … 10")


def launchdarkly_token(config: LaunchDarklySourceConfig, environ: Mapping[str, str] = os.environ) -> str:
    """The token from ``token_env``; a missing variable is named in the error, a value never is."""
    token = environ.get(config.token_env)
    if not token:
        raise SourceError(
            f"launchdarkly source {config.name!r}: environment variable {config.token_env} "
            "is not set (an API access token with the Reader role)"
        )
    return token


class LaunchDarklyAuth(httpx.Auth):
    """``Authorization: <token>`` (LaunchDarkly takes the raw token); it stays out of ``repr`` and logs."""

    def __init__(self, token: str):
        self._token = token

    def auth_flow(self, request: httpx.Request):
        request.headers["Authorization"] = self._token
        yield request

    def __repr__(self) -> str:
        return "LaunchDarklyAuth(***)"
