"""Independent Python versions of the flow analytics definitions (DEVELOPERS.md, "Flow analytics
definitions we chose"), for tests to compute expected marts from known inputs or ground truth.

Nothing here reads the warehouse: the percentiles, the XmR chart with its re-baselining and the
seeded Monte Carlo forecast are written from the definitions, so that equality with the marts
means the SQL implements them.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

UTC = ZoneInfo("UTC")


# ---- percentiles --------------------------------------------------------------------------------


def quantile_cont(values: Iterable[float], p: float) -> float | None:
    """Linear interpolation between the closest ranks (DuckDB quantile_cont, numpy's default)."""
    ordered = sorted(values)
    if not ordered:
        return None
    position = (len(ordered) - 1) * p
    lower = math.floor(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def nearest_rank(values: Iterable[float], p: float) -> float | None:
    """The value at rank ceil(p·n) (at least 1) in ascending order (quantile_disc, percentile_disc)."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(1, math.ceil(round(p * len(ordered), 9)))
    return ordered[rank - 1]


def suppressed(value: float | None, n: int, min_n: int = 5) -> float | None:
    return value if n >= min_n else None


# ---- local days ---------------------------------------------------------------------------------


def local_date(moment: datetime, zone: str) -> date:
    """Local date of an aware (or naive UTC) datetime."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(ZoneInfo(zone)).date()


def local_midnight(day: date, zone: str) -> datetime:
    """Local midnight at the start of ``day``, as an aware UTC datetime."""
    return datetime.combine(day, time(), tzinfo=ZoneInfo(zone)).astimezone(UTC)


def measured_at(day: date, zone: str, as_of: datetime) -> datetime:
    """When the end-of-day state of ``day`` is read: the next local midnight, or as_of if earlier."""
    return min(local_midnight(day + timedelta(days=1), zone), as_of)


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


# ---- XmR ----------------------------------------------------------------------------------------


@dataclass
class XmrPoint:
    index: int  # 1-based
    value: float
    moving_range: float | None
    segment: int
    centre: float
    average_moving_range: float | None
    unpl: float | None
    lnpl: float | None
    url: float | None
    rule_1: bool = False
    rule_2: bool = False
    rule_3: bool = False
    shift_run: bool = False


def close(a: float | None, b: float | None, tolerance: float = 1e-6) -> bool:
    """Equal within a relative tolerance (absolute below 1); NULL only equals NULL."""
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= tolerance * max(1.0, abs(b))


def xmr_row_differences(row: Mapping, point: XmrPoint) -> list[str]:
    """Where a process_behaviour row differs from the expected chart point (empty when it equals it)."""
    expected = {
        "moving_range": point.moving_range,
        "centre_line": point.centre,
        "unpl": point.unpl,
        "lnpl": point.lnpl,
        "url": point.url,
    }
    differences = [
        f"{name}: {row[name]} != {value}" for name, value in expected.items() if not close(row[name], value)
    ]
    flags = {
        "segment_number": point.segment,
        "is_rule_1": point.rule_1,
        "is_rule_2": point.rule_2,
        "is_rule_3": point.rule_3,
        "is_shift_run": point.shift_run,
    }
    differences += [f"{name}: {row[name]} != {value}" for name, value in flags.items() if row[name] != value]
    return differences


def _side(value: float, centre: float) -> int:
    tolerance = 1e-9 * (1 + abs(centre))
    if value > centre + tolerance:
        return 1
    if value < centre - tolerance:
        return -1
    return 0


def xmr_chart(
    values: Sequence[float], baseline: int = 20, run_length: int = 8, rules: Sequence[int] = (1, 2, 3)
) -> list[XmrPoint]:
    """An XmR chart with frozen baselines and re-baselining after a confirmed shift.

    A segment's baseline is its first ``baseline`` points: centre = their mean, mR̄ = the mean of
    their moving ranges after the segment's first point. A shift is confirmed by the first run of
    ``run_length`` points on one side of the segment's centre that reaches past the baseline (and
    does not start at the segment's first point); the next segment starts at the run's first point.
    """
    n = len(values)
    ranges = [None] + [abs(values[i] - values[i - 1]) for i in range(1, n)]
    segments: list[tuple[int, int | None]] = []  # (start, end of the confirming run), 0-based
    start, shift_end = 0, None
    while n:
        segments.append((start, shift_end))
        centre = sum(values[start : start + baseline]) / len(values[start : start + baseline])
        confirmed = None
        if 3 in rules:
            run_side, run_start, run = 0, start, 0
            for i in range(start, n):
                side = _side(values[i], centre)
                if side and side == run_side:
                    run += 1
                elif side:
                    run_side, run_start, run = side, i, 1
                else:
                    run_side, run = 0, 0
                if run >= run_length and i >= start + baseline and run_start > start:
                    confirmed = (run_start, i)
                    break
        if confirmed is None:
            break
        start, shift_end = confirmed

    points: list[XmrPoint] = []
    bounds = [s for s, _ in segments] + [n]
    for number, ((seg_start, seg_shift_end), seg_end) in enumerate(zip(segments, bounds[1:], strict=True), 1):
        base = values[seg_start : seg_start + baseline]
        centre = sum(base) / len(base)
        mrs = ranges[seg_start + 1 : seg_start + len(base)]
        mr_bar = sum(mrs) / len(mrs) if mrs else None
        unpl = centre + 2.66 * mr_bar if mr_bar is not None else None
        lnpl = max(0.0, centre - 2.66 * mr_bar) if mr_bar is not None else None
        url = 3.268 * mr_bar if mr_bar is not None else None
        upper_zone = centre + 1.33 * mr_bar if mr_bar is not None else None
        lower_zone = centre - 1.33 * mr_bar if mr_bar is not None else None
        seg = list(range(seg_start, seg_end))
        sides = [_side(values[i], centre) for i in seg]
        upper = [upper_zone is not None and values[i] > upper_zone for i in seg]
        lower = [lower_zone is not None and values[i] < lower_zone for i in seg]
        rule_2 = [False] * len(seg)
        for end in range(len(seg)):  # windows of (up to) four points ending at `end`
            window = range(max(0, end - 3), end + 1)
            for zone in (upper, lower):
                if sum(zone[j] for j in window) >= 3:
                    for j in window:
                        rule_2[j] = rule_2[j] or zone[j]
        rule_3 = [False] * len(seg)
        j = 0
        while j < len(seg):
            k = j
            while k + 1 < len(seg) and sides[k + 1] == sides[j]:
                k += 1
            if sides[j] and k - j + 1 >= run_length:
                for m in range(j, k + 1):
                    rule_3[m] = True
            j = k + 1
        for offset, i in enumerate(seg):
            value = values[i]
            outside = unpl is not None and (value > unpl or value < lnpl)
            above_url = url is not None and ranges[i] is not None and ranges[i] > url
            shift_run = seg_shift_end is not None and i <= seg_shift_end
            points.append(
                XmrPoint(
                    index=i + 1,
                    value=value,
                    moving_range=ranges[i],
                    segment=number,
                    centre=centre,
                    average_moving_range=mr_bar,
                    unpl=unpl,
                    lnpl=lnpl,
                    url=url,
                    rule_1=1 in rules and (outside or above_url),
                    rule_2=2 in rules and rule_2[offset],
                    rule_3=3 in rules and (rule_3[offset] or shift_run),
                    shift_run=3 in rules and shift_run,
                )
            )
    return points


# ---- Monte Carlo forecast -----------------------------------------------------------------------


def hash_bucket(text: str, buckets: int) -> int:
    """The first 32 bits of the MD5 of ``text`` modulo ``buckets`` (macro hash_bucket)."""
    return int(hashlib.md5(text.encode()).hexdigest()[:8], 16) % buckets


@dataclass
class Forecast:
    done_day: list[int] = field(default_factory=list)  # per trial; simulated_days + 1 = not done
    items_by_target: list[int] = field(default_factory=list)  # per trial

    def when(self, p: float) -> int | None:
        return nearest_rank(self.done_day, p)

    def how_many(self, confidence: float) -> int | None:
        return nearest_rank(self.items_by_target, 1 - confidence)


def monte_carlo(
    throughput: Mapping[str, Sequence[int]],
    targets: Mapping[str, int],
    *,
    trials: int = 10_000,
    seed: int = 42,
    simulated_days: int = 182,
    horizon_days: int = 28,
) -> dict[str, Forecast]:
    """Forecast per stream: trial t, day d replays sample day hash_bucket('seed:t:d', sample days)."""
    sample_days = len(next(iter(throughput.values())))
    results = {stream: Forecast() for stream in throughput}
    for trial in range(1, trials + 1):
        totals = dict.fromkeys(throughput, 0)
        done = dict.fromkeys(throughput, simulated_days + 1)
        by_target = dict.fromkeys(throughput, 0)
        for day in range(1, simulated_days + 1):
            if day > horizon_days and all(done[s] <= simulated_days for s in throughput):
                break
            index = hash_bucket(f"{seed}:{trial}:{day}", sample_days)
            for stream, series in throughput.items():
                totals[stream] += series[index]
                if day <= horizon_days:
                    by_target[stream] = totals[stream]
                if done[stream] > simulated_days and totals[stream] >= targets[stream]:
                    done[stream] = day
        for stream in throughput:
            results[stream].done_day.append(done[stream])
            results[stream].items_by_target.append(by_target[stream])
    return results
