"""When each repository deploys to production: weekday release trains at fixed UTC hours, on-demand
deploys shortly after some items are released, and a code freeze on the mobile app (a week with a
single train, then one big one). Merges are placed against these *cuts* (the instant a deploy picks
main's tip), so that an item's first production deployment comes at or after its Jira release."""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

from extractors.simulation.delivery.catalog import Repository
from extractors.simulation.timeutil import DAY_MS, HOUR_MS, MINUTE_MS

TRAIN, ON_DEMAND = "train", "on_demand"
FREEZE_AT = 0.7  # fraction of the period; the mobile app freezes from the next Tuesday for six days
DEPLOY_LEAD_MS = 40 * MINUTE_MS  # from a train's cut to its production deployment
ON_DEMAND_GAP_MS = 90 * MINUTE_MS  # no on-demand deploy this close to another cut
TAIL_MS = 3 * HOUR_MS  # no cut this close to the end of the period


@dataclass(frozen=True)
class Cut:
    ms: int
    kind: str
    first_of_day: bool = False
    eu: bool = False  # the train also deploys to prod-eu
    issue: int | None = None  # the released item an on-demand deploy is for


def weekday(ms: int) -> int:
    return int((ms // DAY_MS + 3) % 7)  # 1970-01-01 was a Thursday; Monday is 0


def freeze_window(repo: Repository, start_ms: int, end_ms: int) -> tuple[int, int] | None:
    """[Tuesday 00:00, Monday 00:00) around 70 % of the period, for the mobile app only."""
    if not repo.code_freeze:
        return None
    day = (start_ms + int(FREEZE_AT * (end_ms - start_ms))) // DAY_MS * DAY_MS
    while weekday(day) != 1:
        day += DAY_MS
    window = (day, day + 6 * DAY_MS)
    return window if window[1] + 2 * DAY_MS < end_ms else None


def train_cuts(repo: Repository, start_ms: int, end_ms: int) -> list[Cut]:
    freeze = freeze_window(repo, start_ms, end_ms)
    cuts = []
    for day in range(start_ms // DAY_MS * DAY_MS, end_ms, DAY_MS):
        wd = weekday(day)
        if wd >= 5:
            continue
        for slot, hour in enumerate(repo.train_hours):
            ms = day + int(hour * HOUR_MS)
            if ms < start_ms or ms + TAIL_MS > end_ms or (freeze and freeze[0] <= ms < freeze[1]):
                continue
            cuts.append(Cut(ms, TRAIN, slot == 0, slot == 0 and wd == repo.eu_train_weekday))
    return cuts


def plan_cuts(
    repo: Repository, start_ms: int, end_ms: int, on_demand: list[tuple[int, int, int]]
) -> list[Cut]:
    """Train cuts plus on-demand cuts ``(release_ms, delay_ms, issue)`` that keep clear of the others."""
    freeze = freeze_window(repo, start_ms, end_ms)
    cuts = train_cuts(repo, start_ms, end_ms)
    taken = sorted(c.ms for c in cuts)
    extra = []
    for release_ms, delay_ms, issue in sorted(on_demand):
        ms = (release_ms + delay_ms) // 1000 * 1000
        if ms + TAIL_MS > end_ms or (freeze and freeze[0] <= ms < freeze[1]):
            continue
        k = bisect_left(taken, ms - ON_DEMAND_GAP_MS)
        if k < len(taken) and taken[k] <= ms + ON_DEMAND_GAP_MS:
            continue
        taken.insert(k, ms)
        extra.append(Cut(ms, ON_DEMAND, issue=issue))
    return sorted(cuts + extra, key=lambda c: c.ms)


def last_cut_before(cut_ms: list[int], ms: int) -> int | None:
    k = bisect_left(cut_ms, ms)
    return cut_ms[k - 1] if k else None
