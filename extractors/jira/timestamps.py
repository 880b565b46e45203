"""Jira's timestamp and JQL date formats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo


def parse_jira_timestamp(value: str) -> datetime:
    """``2026-05-03T10:15:30.123+0200`` (or ISO 8601 with a colon in the offset) → aware UTC."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00")) if "T" in value else None
    if parsed is None or parsed.tzinfo is None:
        raise ValueError(f"not a Jira timestamp with an offset: {value!r}")
    return parsed.astimezone(UTC)


def jql_datetime(moment: datetime, time_zone: str) -> str:
    """A JQL date literal (minute precision, floored) in the searching user's time zone."""
    local = moment.astimezone(ZoneInfo(time_zone))
    return local.strftime("%Y/%m/%d %H:%M")


def incremental_jql(base: str, cursor: datetime | None, overlap: timedelta, time_zone: str) -> str:
    """Issues updated since the cursor minus an overlap (search is eventually consistent)."""
    ordering = " ORDER BY updated ASC"
    if cursor is None:
        return f"({base}){ordering}"
    since = jql_datetime(cursor - overlap, time_zone)
    return f'({base}) AND updated >= "{since}"{ordering}'
