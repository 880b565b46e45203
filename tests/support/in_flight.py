"""Counting how many calls are under way at once (tests of concurrent requests)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager


class InFlight:
    """``with in_flight.call():`` around a call; ``most`` is the largest number under way at once."""

    def __init__(self, hold_seconds: float):
        self.hold_seconds = hold_seconds
        self._lock = threading.Lock()
        self._now = 0
        self.most = 0

    @contextmanager
    def call(self) -> Iterator[None]:
        with self._lock:
            self._now += 1
            self.most = max(self.most, self._now)
        try:
            time.sleep(self.hold_seconds)
            yield
        finally:
            with self._lock:
                self._now -= 1
