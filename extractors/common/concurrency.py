"""Independent requests of one source, a few at a time.

An extractor that must read many records one request each (LaunchDarkly's audit-log entries) hands
them to :func:`map_concurrently` with the source's ``concurrent_requests``. The threads share the
source's :class:`~extractors.common.http.ApiClient`, so every request keeps its retries, and a
throttled one waits what the API's ``Retry-After`` says. Results come back in the order asked, and
the caller lands them itself: only one thread ever writes to DuckDB.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


def map_concurrently(
    function: Callable[[Item], Result], items: Sequence[Item], max_workers: int
) -> list[Result]:
    """``[function(item) for item in items]`` with at most ``max_workers`` calls at a time.

    The first failure in the items' order is raised once the calls under way have finished."""
    if max_workers < 1:
        raise ValueError(f"max_workers must be at least 1, not {max_workers}")
    if max_workers == 1 or len(items) <= 1:
        return [function(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(max_workers, len(items)), thread_name_prefix="request") as pool:
        return list(pool.map(function, items))
