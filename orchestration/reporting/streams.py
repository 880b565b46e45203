"""Which value streams and services the report draws one by one: the largest, after the total.

An enterprise has hundreds of value streams. A panel, a bar or a row of tiles for each would make
the report as long as the organisation chart and slow to draw: at 1,000,000 simulated flow items
(607 streams) the page took 456 s and 27.7 MB. The report shows the total and the
``SHOWN_STREAMS`` largest; the marts hold every stream, and a note says where.
"""

from __future__ import annotations

import pandas as pd

SHOWN_STREAMS = 12


def largest(weights: pd.Series, limit: int = SHOWN_STREAMS) -> list[str]:
    """The ``limit`` names (the index) with the largest weights; equal weights by name."""
    ranked = sorted(weights.items(), key=lambda item: (-item[1], item[0]))
    return [name for name, _ in ranked[:limit]]


def shown_notes(shown: int, total: int, what: str, mart: str) -> list[str]:
    """The line under a part that draws fewer streams than there are; none when it draws all."""
    if shown >= total:
        return []
    return [f"Showing the {shown} largest of {total:,} {what}; marts.{mart} has every one."]
