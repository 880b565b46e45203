"""Pure rules of the incremental GitHub extraction: timestamps, thresholds, cursors and run windows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

TERMINAL_DEPLOYMENT_STATES = frozenset({"success", "failure", "error", "inactive"})
# GitHub's search qualifiers need a lower bound; nothing on GitHub is older than this
GITHUB_EPOCH = datetime(2008, 1, 1, tzinfo=UTC)
ONE_SECOND = timedelta(seconds=1)


def parse_github_time(value: str) -> datetime:
    """``2026-05-03T10:15:30Z`` (or any ISO 8601 with an offset) → aware UTC."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError(f"not a timestamp with an offset: {value!r}")
    return parsed.astimezone(UTC)


def github_time(moment: datetime) -> str:
    """Aware datetime → ``YYYY-MM-DDTHH:MM:SSZ`` (seconds; GitHub's own precision)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def optional_time(text: str | None) -> datetime | None:
    return parse_github_time(text) if text else None


def lower_bound(cursor: datetime | None, back: timedelta, history_start: datetime | None) -> datetime | None:
    """Where a listing may stop: ``cursor − back``, never before ``history_start``; None reads everything."""
    if cursor is None:
        return history_start
    since = cursor - back
    return max(since, history_start) if history_start else since


def split_fresh(items: list[dict[str, Any]], key: str, threshold: datetime | None) -> tuple[list[dict], bool]:
    """Items of a newest-first page at or after ``threshold``, and whether the listing may stop here.

    The listing is sorted by ``key`` descending, so once one item is older, every later one is too.
    """
    if threshold is None:
        return items, False
    fresh = [item for item in items if parse_github_time(item[key]) >= threshold]
    return fresh, len(fresh) < len(items)


def newest(current: datetime | None, items: Iterable[dict[str, Any]], key: str) -> datetime | None:
    """The greatest ``key`` timestamp among ``items`` and ``current``."""
    for item in items:
        moment = parse_github_time(item[key])
        if current is None or moment > current:
            current = moment
    return current


def latest_state(statuses: Iterable[Mapping[str, Any]]) -> str | None:
    """The state of the most recent deployment status (by creation time, then id)."""
    latest = max(statuses, key=lambda s: (parse_github_time(s["created_at"]), int(s["id"])), default=None)
    return None if latest is None else str(latest.get("state"))


def is_terminal(state: str | None) -> bool:
    """True when a deployment's status will not change any more (success, failure, error, inactive)."""
    return state in TERMINAL_DEPLOYMENT_STATES


@dataclass
class DeploymentCursor:
    """Deployments cursor: the newest ``created_at`` fully read, and deployments still being followed.

    ``open`` maps a deployment id to its ``created_at``: deployments whose latest status was not
    terminal when last read, so their statuses are read again on the next run.
    """

    created_at: datetime | None = None
    open: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str | None) -> DeploymentCursor:
        if not text:
            return cls()
        value = orjson.loads(text)
        return cls(
            optional_time(value.get("created_at")),
            {str(k): str(v) for k, v in (value.get("open") or {}).items()},
        )

    def dump(self) -> str:
        return orjson.dumps(
            {
                "created_at": github_time(self.created_at) if self.created_at else None,
                "open": dict(sorted(self.open.items(), key=lambda kv: int(kv[0]) if kv[0].isdigit() else 0)),
            }
        ).decode()


def created_qualifier(since: datetime, until: datetime) -> str:
    """The ``created`` search qualifier for an inclusive range of seconds."""
    return f"{github_time(since)}..{github_time(until)}"


Range = tuple[datetime, datetime]


def split_range(since: datetime, until: datetime) -> tuple[Range, Range]:
    """Halve an inclusive range of whole seconds into two adjacent, non-overlapping ranges."""
    seconds = int((until - since).total_seconds())
    if seconds < 1:
        raise ValueError("a range of one second cannot be split")
    middle = since + timedelta(seconds=seconds // 2)
    return (since, middle), (middle + ONE_SECOND, until)


def whole_seconds(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(microsecond=0)
