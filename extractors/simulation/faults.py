"""Faults a simulated source injects: throttling, server errors, a killed process, a lagging index."""

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
    """

    rate_limit_every: int | None = None
    retry_after_seconds: float = 1
    server_errors_at: frozenset[int] = field(default_factory=frozenset)
    interrupt_after: int | None = None
    index_lag_seconds: float = 0
