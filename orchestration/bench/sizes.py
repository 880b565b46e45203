"""Benchmark sizes as people write them: ``2k``, ``100k``, ``1m`` (flow items)."""

from __future__ import annotations

DEFAULT_SIZES = (500,)
SUFFIXES = {"k": 1_000, "m": 1_000_000}


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
