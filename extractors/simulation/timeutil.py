"""Time as the simulator keeps it: integer milliseconds since the epoch, UTC.

Conversions to aware datetimes, Jira's wire format (``2026-05-03T10:15:30.123+0200`` in the
user's zone), JQL date literals (interpreted in the user's zone) and the zone's DST changes.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

SECOND_MS = 1_000
MINUTE_MS = 60 * SECOND_MS
HOUR_MS = 60 * MINUTE_MS
DAY_MS = 24 * HOUR_MS

JQL_DATE_FORMATS = ("%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M", "%Y/%m/%d", "%Y-%m-%d")


def to_ms(moment: datetime) -> int:
    """An aware datetime → epoch milliseconds (sub-millisecond parts are dropped)."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime; the simulator only handles timezone-aware times")
    delta = moment - datetime(1970, 1, 1, tzinfo=UTC)
    return delta.days * DAY_MS + delta.seconds * SECOND_MS + delta.microseconds // 1000


def from_ms(ms: int) -> datetime:
    """Epoch milliseconds → aware UTC datetime."""
    return datetime.fromtimestamp(ms // SECOND_MS, UTC).replace(microsecond=ms % SECOND_MS * 1000)


def utc_midnight_ms(day: date) -> int:
    """The first millisecond of a UTC calendar date."""
    return to_ms(datetime(day.year, day.month, day.day, tzinfo=UTC))


def jira_timestamp(ms: int, zone: ZoneInfo) -> str:
    """Jira Cloud's timestamp format, in the given zone: ``2026-05-03T10:15:30.123+0200``."""
    local = datetime.fromtimestamp(ms // SECOND_MS, zone)
    return f"{local:%Y-%m-%dT%H:%M:%S}.{ms % SECOND_MS:03d}{local:%z}"


def parse_jql_date(text: str, zone: ZoneInfo) -> int | None:
    """A JQL date literal in the user's zone → epoch ms, or None when no accepted format matches.

    A wall time that occurs twice (the hour repeated when DST ends) means its first occurrence;
    one that does not exist (skipped when DST starts) is read with the offset before the change.
    """
    for fmt in JQL_DATE_FORMATS:
        try:
            naive = datetime.strptime(text.strip(), fmt)
        except ValueError:
            continue
        return to_ms(naive.replace(tzinfo=zone, fold=0))
    return None


def dst_transitions(zone: ZoneInfo, start_ms: int, end_ms: int) -> list[int]:
    """Instants (epoch ms, to the second) in ``[start_ms, end_ms)`` where the zone's UTC offset changes."""

    def offset(ms: int) -> timedelta | None:
        return from_ms(ms).astimezone(zone).utcoffset()

    found = []
    day = start_ms
    while day < end_ms:
        nxt = min(day + DAY_MS, end_ms)
        if offset(day) != offset(nxt):
            low, high = day, nxt  # offset(low) differs from offset(high); narrow to the second
            while high - low > SECOND_MS:
                mid = (low + high) // 2 // SECOND_MS * SECOND_MS
                if mid <= low:
                    break
                low, high = (mid, high) if offset(mid) == offset(low) else (low, mid)
            found.append(high)
        day = nxt
    return found
