"""Which streams the report draws one by one: the largest, ties by name, and a note for the rest."""

from __future__ import annotations

import pandas as pd

from orchestration.reporting.streams import largest, shown_notes


def test_largest_takes_the_heaviest_names_and_breaks_ties_by_name():
    weights = pd.Series({"MOB": 3, "PAY": 9, "API": 3, "WEB": 1})
    assert largest(weights, limit=3) == ["PAY", "API", "MOB"]
    assert largest(weights, limit=10) == ["PAY", "API", "MOB", "WEB"]
    assert largest(pd.Series(dtype=int)) == []


def test_a_note_only_when_streams_are_left_out():
    assert shown_notes(12, 12, "value streams by open items", "aging_wip") == []
    assert shown_notes(12, 607, "value streams by open items", "aging_wip") == [
        "Showing the 12 largest of 607 value streams by open items; marts.aging_wip has every one."
    ]
