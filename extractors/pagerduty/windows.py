"""Pure rules of the incremental PagerDuty extraction: timestamps, date windows and the cursor."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import orjson

# PagerDuty rejects since..until ranges longer than six months; 180 days is shorter than any six months
MAX_WINDOW = timedelta(days=180)
MIN_WINDOW = timedelta(minutes=1)


def parse_pagerduty_time(value: str) -> datetime:
    """``2022-11-03T06:23:06Z`` / ``…06.000000Z`` / ``…+02:00`` → aware UTC."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if parsed.tzinfo is None:
        raise ValueError(f"not a timestamp with an offset: {value!r}")
    return parsed.astimezone(UTC)


def pagerduty_time(moment: datetime) -> str:
    """Aware datetime → ``YYYY-MM-DDTHH:MM:SSZ``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def date_windows(
    since: datetime, until: datetime, longest: timedelta = MAX_WINDOW
) -> list[tuple[datetime, datetime]]:
    """``[since, until]`` as consecutive windows of at most ``longest``, oldest first.

    Neighbouring windows share their boundary, so nothing falls between them whether the API treats
    ``until`` as inclusive or not (an incident on the boundary is read twice and lands once).
    """
    windows = []
    start = since
    while start < until:
        end = min(start + longest, until)
        windows.append((start, end))
        start = end
    return windows


def halve(since: datetime, until: datetime) -> tuple[tuple[datetime, datetime], tuple[datetime, datetime]]:
    """Two windows sharing their middle boundary, second-aligned."""
    middle = (since + (until - since) / 2).replace(microsecond=0)
    if not since < middle < until:
        raise ValueError("the window is too short to halve")
    return (since, middle), (middle, until)


@dataclass
class IncidentCursor:
    """The incidents cursor: ``since`` is the end of the last completed window; ``open`` maps the ids of
    incidents not resolved when last read to their ``created_at`` — they are read again, one by one,
    until resolved (a listing by creation date never shows an old incident's later resolution)."""

    since: datetime | None = None
    open: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str | None) -> IncidentCursor:
        if not text:
            return cls()
        value = orjson.loads(text)
        since = value.get("since")
        return cls(
            parse_pagerduty_time(since) if since else None,
            {str(k): str(v) for k, v in (value.get("open") or {}).items()},
        )

    def dump(self) -> str:
        return orjson.dumps(
            {
                "since": pagerduty_time(self.since) if self.since else None,
                "open": dict(sorted(self.open.items())),
            }
        ).decode()

    def note(self, incident: dict) -> None:
        """Follow ``incident`` while it is not resolved."""
        incident_id = str(incident["id"])
        if incident.get("status") == "resolved":
            self.open.pop(incident_id, None)
        else:
            self.open[incident_id] = str(incident.get("created_at") or "")
