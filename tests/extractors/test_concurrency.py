import threading
import time

import pytest

from extractors.common.concurrency import map_concurrently
from tests.support.in_flight import InFlight


class SquaringInFlight(InFlight):
    """Squares its item, holding each call 10 ms."""

    def __init__(self):
        super().__init__(hold_seconds=0.01)

    def __call__(self, item: int) -> int:
        with self.call():
            return item * item


def test_results_come_back_in_the_order_asked_with_at_most_n_at_a_time():
    calls = SquaringInFlight()
    assert map_concurrently(calls, list(range(12)), max_workers=3) == [i * i for i in range(12)]
    assert calls.most == 3


def test_one_worker_calls_in_this_thread_one_after_another():
    calls = SquaringInFlight()
    threads = []
    assert map_concurrently(
        lambda i: threads.append(threading.current_thread()) or calls(i), [1, 2, 3], 1
    ) == [
        1,
        4,
        9,
    ]
    assert calls.most == 1 and set(threads) == {threading.current_thread()}
    with pytest.raises(ValueError, match="at least 1"):
        map_concurrently(calls, [1], 0)


def test_the_first_failure_in_order_is_raised():
    def fail_on_odd(item: int) -> int:
        time.sleep(0.01 * (5 - item))  # later items finish first
        if item % 2:
            raise RuntimeError(f"item {item}")
        return item

    with pytest.raises(RuntimeError, match="item 1"):
        map_concurrently(fail_on_odd, [0, 1, 2, 3], max_workers=4)
