"""The PagerDuty REST v2 endpoints streamgauge reads; lists page with ``offset`` / ``limit`` / ``more``."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Any

from extractors.common.http import ApiClient
from extractors.common.paging import describe_request, iter_offset_pages
from extractors.pagerduty.config import MEDIA_TYPE, PagerDutyAuth, PagerDutySourceConfig, pagerduty_token
from extractors.pagerduty.windows import pagerduty_time

Pages = Iterator[tuple[str, Any]]
INCIDENT_STATUSES = ("triggered", "acknowledged", "resolved")


class PagerDutyClient:
    """Thin access to the endpoints; every method yields ``(request, page)`` with pages as received."""

    def __init__(self, api: ApiClient, page_size: int = 100):
        self.api = api
        self.page_size = page_size

    @property
    def source(self) -> str:
        return self.api.source

    def __enter__(self) -> PagerDutyClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.api.close()

    def incidents(self, since: datetime, until: datetime, service_ids: Sequence[str] = ()) -> Pages:
        """Incidents created in ``[since, until]`` (at most six months), in every status.

        ``total=true`` makes the first page say how many there are, so callers can split windows that
        hold more than classic pagination reaches.
        """
        params: dict[str, Any] = {
            "since": pagerduty_time(since),
            "until": pagerduty_time(until),
            "statuses[]": list(INCIDENT_STATUSES),
            "time_zone": "UTC",
            "total": "true",
        }
        if service_ids:
            params["service_ids[]"] = list(service_ids)
        return iter_offset_pages(self.api, "/incidents", params, limit=self.page_size)

    def incident(self, incident_id: str) -> tuple[str, Any]:
        """One incident (``GET /incidents/{id}`` → ``{"incident": {...}}``): the request and the object."""
        path = f"/incidents/{incident_id}"
        params = {"time_zone": "UTC"}
        page = self.api.get_json(path, params)
        return describe_request("GET", path, params), page.get("incident") if isinstance(page, dict) else None

    def log_entries(self, incident_id: str) -> Pages:
        """Every log entry of one incident, oldest first."""
        return iter_offset_pages(
            self.api, f"/incidents/{incident_id}/log_entries", {"time_zone": "UTC"}, limit=self.page_size
        )


def connect_pagerduty(config: PagerDutySourceConfig, **client_options: Any) -> PagerDutyClient:
    """A client for one configured account; the token comes from the environment."""
    api = ApiClient(
        config.name,
        config.base_url,
        auth=PagerDutyAuth(pagerduty_token(config)),
        headers={"Accept": MEDIA_TYPE},
        **client_options,
    )
    return PagerDutyClient(api, config.page_size)
