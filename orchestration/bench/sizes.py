"""Benchmark sizes as people write them: ``2k``, ``100k``, ``1m`` (flow items)."""

from __future__ import annotations

DEFAULT_SIZES = (500,)
SUFFIXES = {"k": 1_000, "m": 1_000_000}
# Larger sizes land an organisation of this many flow items through the simulated APIs and copy it
# (orchestration.bench.replicas): landing a million items request by request would take hours.
BASE_FLOW_ITEMS = 5_000


def parse_size(text: str) -> int:
    text = text.strip().lower().replace("_", "")
    multiplier = SUFFIXES.get(text[-1:], 1)
    number = text[:-1] if text[-1:] in SUFFIXES else text
    value = int(float(number) * multiplier)
    if value < 1:
        raise ValueError(f"a benchmark size must be a positive number of flow items, not {text!r}")
    return value


def parse_sizes(text: str | None) -> list[int]:
    """``"10k,100k"`` → ``[10000, 100000]`` (ascending, without repeats); the default when empty."""
    if not text:
        return list(DEFAULT_SIZES)
    return sorted({parse_size(part) for part in text.split(",") if part.strip()})


def base_and_copies(flow_items: int, base_flow_items: int = BASE_FLOW_ITEMS) -> tuple[int, int]:
    """The organisation the benchmark lands for a size, and how many copies of it make the size
    (rounded up: ``12k`` is three copies of 5,000 items)."""
    if flow_items <= base_flow_items:
        return flow_items, 1
    return base_flow_items, -(-flow_items // base_flow_items)
