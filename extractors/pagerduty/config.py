"""Settings of one PagerDuty account, and its API token read from the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import httpx

from extractors.common.http import SourceError

MEDIA_TYPE = "application/vnd.pagerduty+json;version=2"
DEFAULT_HISTORY_DAYS = 180


@dataclass(frozen=True)
class PagerDutySourceConfig:
    """One PagerDuty account (REST API v2).

    ``service_ids`` restricts the incidents read (all services when empty). ``history_start`` is where
    the first run starts; without it the first run reads the last ``DEFAULT_HISTORY_DAYS`` days.
    """

    name: str
    base_url: str = "https://api.pagerduty.com"
    token_env: str = "PAGERDUTY_TOKEN"
    service_ids: tuple[str, ...] = ()
    history_start: datetime | None = None
    overlap_minutes: int = 60
    page_size: int = 100


def pagerduty_token(config: PagerDutySourceConfig, environ: Mapping[str, str] = os.environ) -> str:
    """The token from ``token_env``; a missing variable is named in the error, a value never is."""
    token = environ.get(config.token_env)
    if not token:
        raise SourceError(
            f"pagerduty source {config.name!r}: environment variable {config.token_env} "
            "is not set (a read-only REST API key)"
        )
    return token


class PagerDutyAuth(httpx.Auth):
    """``Authorization: Token token=<token>``; the token stays out of ``repr`` and logs."""

    def __init__(self, token: str):
        self._token = token

    def auth_flow(self, request: httpx.Request):
        request.headers["Authorization"] = f"Token token={self._token}"
        yield request

    def __repr__(self) -> str:
        return "PagerDutyAuth(***)"
