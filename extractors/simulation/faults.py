"""Faults a simulated source injects: throttling (GitHub's primary and secondary limits among them), server
errors, a killed process, a lagging index."""

from __future__ import annotations

from dataclasses import dataclass, field


class SimulatedInterruption(Exception):  # noqa: N818 - the name says what it models
    """The process was killed mid-run: raised instead of answering. Deliberately not an
    ``httpx.TransportError``, so no client retries it."""


@dataclass(frozen=True)
class FaultPlan:
    """Faults of one source. Requests are counted per source, from 1.

    * every ``rate_limit_every``-th request answers 429 with ``Retry-After: retry_after_seconds``;
    * requests whose number is in ``server_errors_at`` answer 503;
    * request number ``interrupt_after + 1`` raises :class:`SimulatedInterruption` (once);
    * search hides issues updated less than ``index_lag_seconds`` before the clock.

    GitHub's rate limits (other sources answer these requests as ``rate_limit_every`` does):

    * requests in ``primary_limit_at`` answer 403 with ``x-ratelimit-remaining: 0`` and
      ``x-ratelimit-reset`` ``rate_limit_reset_seconds`` ahead of the wall clock;
    * requests in ``secondary_limit_at`` answer ``secondary_limit_status`` (403 or 429) with
      ``Retry-After: retry_after_seconds``; ``rate_limit_every`` answers GitHub's secondary limit as 429;
    * ``rate_limit_quota`` (default 5,000) requests per hour, the hour starting at the first request on
      the wall clock; once used up every request answers 403 until ``x-ratelimit-reset``.
    """

    rate_limit_every: int | None = None
    retry_after_seconds: float = 1
    server_errors_at: frozenset[int] = field(default_factory=frozenset)
    interrupt_after: int | None = None
    index_lag_seconds: float = 0
    primary_limit_at: frozenset[int] = field(default_factory=frozenset)
    secondary_limit_at: frozenset[int] = field(default_factory=frozenset)
    secondary_limit_status: int = 403
    rate_limit_reset_seconds: float = 60
    rate_limit_quota: int | None = None
