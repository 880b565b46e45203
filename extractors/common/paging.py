"""Pagination styles of the APIs we read, as small generators over an :class:`ApiClient`.

Each yields ``(request_description, page)`` so the caller can land the page with the request that
produced it. None of them hold more than one page in memory.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import urlencode, urlsplit

from extractors.common.http import ApiClient, SourceError, decode_json

Page = Any


def describe_request(method: str, path: str, params: Mapping[str, Any] | None = None) -> str:
    """A loggable request line: method, path and query (never headers)."""
    query = urlencode({k: v for k, v in (params or {}).items() if v is not None}, doseq=True)
    return f"{method} {path}" + (f"?{query}" if query else "")


def iter_token_pages(
    fetch: Callable[[str | None], Page],
    *,
    source: str,
    token_key: str = "nextPageToken",
    last_key: str | None = "isLast",
) -> Iterator[Page]:
    """Token pagination (Jira ``search/jql`` and ``changelog/bulkfetch``, Azure DevOps).

    Stops when the page says it is the last one, or carries no token. A token that repeats would
    loop forever, so it is an error.
    """
    token: str | None = None
    seen: set[str] = set()
    while True:
        page = fetch(token)
        yield page
        if last_key is not None and page.get(last_key) is True:
            return
        token = page.get(token_key)
        if not token:
            return
        if token in seen:
            raise SourceError(f"{source}: the API returned page token {token!r} twice; stopping")
        seen.add(token)


_LINK_RE = re.compile(r'<([^>]+)>\s*;\s*rel="?([^";]+)"?')


def parse_link_header(value: str | None) -> dict[str, str]:
    """RFC 8288 ``Link`` header → {rel: url}."""
    if not value:
        return {}
    return {rel: url for url, rel in _LINK_RE.findall(value)}


def same_origin(url: str, base_url: str) -> bool:
    """True when ``url`` is relative or points at the same scheme, host and port as ``base_url``."""
    target, base = urlsplit(url), urlsplit(base_url)
    return not target.netloc or (target.scheme, target.netloc) == (base.scheme, base.netloc)


def iter_link_pages(
    client: ApiClient, path: str, params: Mapping[str, Any] | None = None
) -> Iterator[tuple[str, Page]]:
    """``Link: <…>; rel="next"`` pagination (GitHub). A next link to another host is refused: the
    client's credentials must never follow it there."""
    url: str | None = path
    current_params: Mapping[str, Any] | None = params
    while url:
        response = client.get(url, current_params)
        yield describe_request("GET", url, current_params), decode_json(client.source, "GET", url, response)
        url = parse_link_header(response.headers.get("link")).get("next")
        if url and not same_origin(url, client.base_url):
            raise SourceError(f"{client.source}: refusing to follow a next-page link to another host: {url}")
        current_params = None  # the next URL carries its own query


def iter_offset_pages(
    client: ApiClient,
    path: str,
    params: Mapping[str, Any] | None = None,
    *,
    limit: int = 100,
    more_key: str = "more",
) -> Iterator[tuple[str, Page]]:
    """``offset`` / ``limit`` / ``more`` pagination (PagerDuty)."""
    offset = 0
    while True:
        page_params = {**(params or {}), "offset": offset, "limit": limit}
        page = client.get_json(path, page_params)
        yield describe_request("GET", path, page_params), page
        if not page.get(more_key):
            return
        offset += limit


def iter_next_link_pages(
    client: ApiClient, path: str, params: Mapping[str, Any] | None = None
) -> Iterator[tuple[str, Page]]:
    """``_links.next.href`` pagination (LaunchDarkly)."""
    url: str | None = path
    current_params: Mapping[str, Any] | None = params
    while url:
        page = client.get_json(url, current_params)
        yield describe_request("GET", url, current_params), page
        url = ((page.get("_links") or {}).get("next") or {}).get("href")
        current_params = None
