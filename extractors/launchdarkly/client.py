"""The LaunchDarkly REST v2 endpoints streamgauge reads; lists page with ``_links.next``."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from extractors.common.http import ApiClient
from extractors.common.paging import describe_request, iter_next_link_pages
from extractors.launchdarkly.config import (
    API_VERSION,
    LaunchDarklyAuth,
    LaunchDarklySourceConfig,
    launchdarkly_token,
)

Pages = Iterator[tuple[str, Any]]


class LaunchDarklyClient:
    """Thin access to the endpoints; every method yields ``(request, page)`` with pages as received."""

    def __init__(self, api: ApiClient, page_size: int = 100, audit_page_size: int = 20):
        self.api = api
        self.page_size = page_size
        self.audit_page_size = audit_page_size

    @property
    def source(self) -> str:
        return self.api.source

    def __enter__(self) -> LaunchDarklyClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.api.close()

    def flags(self, project_key: str, environments: Sequence[str] = ()) -> Pages:
        """Every flag of a project with its full environment configurations (``summary=0``)."""
        params: dict[str, Any] = {"limit": self.page_size, "offset": 0, "summary": 0}
        if environments:
            params["env"] = list(environments)
        return iter_next_link_pages(self.api, f"/api/v2/flags/{project_key}", params)

    def audit_log(
        self, *, after: int | None = None, before: int | None = None, spec: str | None = None
    ) -> Pages:
        """Audit-log entries newest first, ``after`` < date < ``before`` (epoch ms)."""
        params: dict[str, Any] = {"limit": self.audit_page_size}
        if after is not None:
            params["after"] = after
        if before is not None:
            params["before"] = before
        if spec:
            params["spec"] = spec
        return iter_next_link_pages(self.api, "/api/v2/auditlog", params)

    def audit_entry(self, entry_id: str) -> tuple[str, Any]:
        """One entry with ``previousVersion`` / ``currentVersion`` (the flag before and after)."""
        path = f"/api/v2/auditlog/{entry_id}"
        return describe_request("GET", path), self.api.get_json(path)


def connect_launchdarkly(config: LaunchDarklySourceConfig, **client_options: Any) -> LaunchDarklyClient:
    """A client for one configured project; the token comes from the environment."""
    api = ApiClient(
        config.name,
        config.base_url,
        auth=LaunchDarklyAuth(launchdarkly_token(config)),
        headers={"LD-API-Version": API_VERSION},
        **client_options,
    )
    return LaunchDarklyClient(api, config.page_size, config.audit_page_size)
