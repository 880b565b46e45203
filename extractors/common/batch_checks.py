"""Batch-level checks: one table's share of a batch compared with the source's recent successful batches.

Each check answers ``None`` when the batch passes, else what is wrong. A batch that fails any is held
whole (see :mod:`extractors.common.gate`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import median

from extractors.common.quality import QualitySettings

EMPTY = "expect_batch_to_have_rows"
VOLUME = "expect_batch_volume_within_recent_range"
SCHEMA = "expect_batch_fields_to_match_recent_batches"


@dataclass
class Profile:
    """What one batch brought to one table: records received, top-level fields seen in any and in every
    record (``common`` is None until a record arrived)."""

    records: int = 0
    fields: set[str] = field(default_factory=set)
    common: set[str] | None = None

    def add(self, records: int, counts: dict[str, int], objects: int) -> None:
        self.records += records
        self.fields |= set(counts)
        everywhere = {name for name, count in counts.items() if count == objects}
        if objects:
            self.common = everywhere if self.common is None else self.common & everywhere


def empty_batch(profile: Profile, recent: list[Profile], expected: bool) -> str | None:
    """A table the source fills in every batch is empty, although its recent batches were not."""
    if not expected or profile.records or not recent or not all(p.records for p in recent):
        return None
    return f"no records, the last {len(recent)} batch(es) had {min(p.records for p in recent)} or more"


def volume_anomaly(profile: Profile, recent: list[Profile], settings: QualitySettings) -> str | None:
    """Far more records than the recent batches' median."""
    counts = [p.records for p in recent if p.records]
    if not counts:
        return None
    typical = median(counts)
    if (
        profile.records > settings.volume_max_ratio * typical
        and profile.records - typical >= settings.volume_min_records
    ):
        return (
            f"{profile.records} records, more than {settings.volume_max_ratio:g}× the median "
            f"{typical:g} of the last {len(counts)} batch(es)"
        )
    return None


def schema_change(profile: Profile, recent: list[Profile]) -> str | None:
    """Top-level fields no recent batch had, or fields every recent record had and no record has now."""
    seen = [p for p in recent if p.records and p.common is not None]
    if not profile.records or profile.common is None or not seen:
        return None
    known = set().union(*(p.fields for p in seen))
    always = set.intersection(*(p.common for p in seen))
    new, missing = sorted(profile.fields - known), sorted(always - profile.fields)
    parts = [f"new field(s) {', '.join(new)}"] if new else []
    parts += [f"missing field(s) {', '.join(missing)}"] if missing else []
    return "; ".join(parts) or None
