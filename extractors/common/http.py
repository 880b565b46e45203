"""One HTTP client for every source: authentication, retries, back-off and rate limits.

Every extractor talks to its API through :class:`ApiClient`. It never logs headers or
credentials; errors name the source, the method and the URL path only.
"""

from __future__ import annotations

import email.utils
import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson

log = logging.getLogger("streamgauge.http")

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


class SourceError(RuntimeError):
    """A source answered in a way we cannot use. The message names source, request and reason."""


class HttpStatusError(SourceError):
    def __init__(self, source: str, method: str, url: str, status: int, excerpt: str):
        self.source, self.method, self.url, self.status = source, method, url, status
        super().__init__(f"{source}: {method} {url} answered HTTP {status}: {excerpt}")


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try. Back-off is exponential with full jitter, capped at ``max_backoff_seconds``."""

    max_attempts: int = 6
    base_backoff_seconds: float = 1.0
    max_backoff_seconds: float = 60.0
    max_rate_limit_wait_seconds: float = 3600.0


def parse_retry_after(value: str | None, now: float) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)


def parse_rate_limit_reset(headers: Mapping[str, str], now: float) -> float | None:
    """Seconds until a primary rate limit resets, when the response says none are left.

    Understands GitHub's ``x-ratelimit-remaining`` / ``x-ratelimit-reset`` (epoch seconds) and
    LaunchDarkly's ``x-ratelimit-reset`` (epoch milliseconds).
    """
    remaining = headers.get("x-ratelimit-remaining") or headers.get("x-ratelimit-global-remaining")
    reset = headers.get("x-ratelimit-reset")
    if remaining is None or reset is None:
        return None
    try:
        if int(float(remaining)) > 0:
            return None
        reset_at = float(reset)
    except ValueError:
        return None
    if reset_at > 1e11:  # epoch milliseconds
        reset_at /= 1000.0
    return max(0.0, reset_at - now)


def backoff_seconds(attempt: int, policy: RetryPolicy, rng: random.Random) -> float:
    """Full-jitter exponential back-off for the given (1-based) attempt."""
    ceiling = min(policy.max_backoff_seconds, policy.base_backoff_seconds * 2 ** (attempt - 1))
    return rng.uniform(0, ceiling)


@dataclass
class RequestStats:
    requests: int = 0
    retries: int = 0
    rate_limited: int = 0
    waited_seconds: float = 0.0
    by_status: dict[int, int] = field(default_factory=dict)


class ApiClient:
    """A JSON API client bound to one source.

    ``transport`` lets tests and the demo put the simulated organisation beneath the very same
    client code; ``sleep`` and ``clock`` make waiting observable in tests. Threads may share one
    client (``extractors.common.concurrency``): each request retries and waits on its own.
    """

    def __init__(
        self,
        source: str,
        base_url: str,
        *,
        auth: httpx.Auth | None = None,
        headers: Mapping[str, str] | None = None,
        transport: httpx.BaseTransport | None = None,
        retry: RetryPolicy | None = None,
        timeout_seconds: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.time,
        seed: int = 0,
    ):
        self.source = source
        self.retry = retry or RetryPolicy()
        self.stats = RequestStats()
        self._stats_lock = threading.Lock()
        self._sleep = sleep
        self._clock = clock
        self._rng = random.Random(seed)
        self._client = httpx.Client(
            base_url=base_url.rstrip("/"),
            auth=auth,
            headers={"Accept": "application/json", "User-Agent": "streamgauge", **dict(headers or {})},
            transport=transport,
            timeout=timeout_seconds,
            follow_redirects=True,
        )

    @property
    def base_url(self) -> str:
        return str(self._client.base_url)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> ApiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _tally(self, status: int | None = None, **amounts: float) -> None:
        with self._stats_lock:
            for name, amount in amounts.items():
                setattr(self.stats, name, getattr(self.stats, name) + amount)
            if status is not None:
                self.stats.by_status[status] = self.stats.by_status.get(status, 0) + 1

    def _wait(self, seconds: float, reason: str) -> None:
        log.info("%s: waiting %.1fs (%s)", self.source, seconds, reason)
        self._tally(waited_seconds=seconds)
        self._sleep(seconds)

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
    ) -> httpx.Response:
        """Send one request, retrying on 429, 5xx, secondary rate limits and network errors."""
        attempt = 0
        while True:
            attempt += 1
            self._tally(requests=1)
            try:
                response = self._client.request(method, url, params=params, json=json)
            except httpx.TransportError as exc:
                if attempt >= self.retry.max_attempts:
                    raise SourceError(
                        f"{self.source}: {method} {url} failed after {attempt} attempts: {type(exc).__name__}"
                    ) from exc
                self._tally(retries=1)
                self._wait(backoff_seconds(attempt, self.retry, self._rng), f"{type(exc).__name__}")
                continue
            status = response.status_code
            self._tally(status=status)
            now = self._clock()
            wait = self._rate_limit_wait(response, now)
            if wait is not None:
                self._tally(rate_limited=1)
                if attempt >= self.retry.max_attempts or wait > self.retry.max_rate_limit_wait_seconds:
                    raise HttpStatusError(self.source, method, url, status, "rate limited; giving up")
                self._tally(retries=1)
                self._wait(wait, f"rate limited, HTTP {status}")
                continue
            if status in RETRYABLE_STATUSES:
                if attempt >= self.retry.max_attempts:
                    raise HttpStatusError(self.source, method, url, status, _excerpt(response))
                self._tally(retries=1)
                self._wait(backoff_seconds(attempt, self.retry, self._rng), f"HTTP {status}")
                continue
            if status >= 400:
                raise HttpStatusError(self.source, method, url, status, _excerpt(response))
            reset_wait = parse_rate_limit_reset(response.headers, now)
            if reset_wait:
                self._wait(min(reset_wait, self.retry.max_rate_limit_wait_seconds), "rate limit exhausted")
            return response

    @staticmethod
    def _rate_limit_wait(response: httpx.Response, now: float) -> float | None:
        """Seconds to wait before retrying a throttled response, or None if it was not throttled."""
        status = response.status_code
        if status not in (403, 429, 503):
            return None
        retry_after = parse_retry_after(response.headers.get("retry-after"), now)
        if retry_after is not None:
            return retry_after
        if status in (403, 429):
            reset = parse_rate_limit_reset(response.headers, now)
            if reset is not None:
                return reset
        return None  # a plain 429/503 is retried with back-off like any retryable status

    def get(self, url: str, params: Mapping[str, Any] | None = None) -> httpx.Response:
        return self.request("GET", url, params=params)

    def get_json(self, url: str, params: Mapping[str, Any] | None = None) -> Any:
        return decode_json(self.source, "GET", url, self.get(url, params))

    def post_json(self, url: str, body: Any) -> Any:
        return decode_json(self.source, "POST", url, self.request("POST", url, json=body))


def decode_json(source: str, method: str, url: str, response: httpx.Response) -> Any:
    try:
        return orjson.loads(response.content)
    except orjson.JSONDecodeError as exc:
        raise SourceError(f"{source}: {method} {url} returned malformed JSON ({exc})") from exc


def _excerpt(response: httpx.Response, limit: int = 300) -> str:
    text = response.text.strip().replace("\n", " ")
    return text[:limit] + ("…" if len(text) > limit else "")
