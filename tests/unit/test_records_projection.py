"""Where an event of a case's log stands against the records (pure): each sequence applied once, in order."""

from __future__ import annotations

import pytest

from services.records.projection import Placement, place


@pytest.mark.parametrize(
    ("last_applied", "sequence", "placement"),
    [
        pytest.param(None, 1, Placement.APPLY, id="a new case's first event"),
        pytest.param(None, 2, Placement.GAP, id="a new case's second event before its first"),
        pytest.param(3, 4, Placement.APPLY, id="the next event"),
        pytest.param(3, 3, Placement.DUPLICATE, id="the last one again (a redelivery)"),
        pytest.param(3, 1, Placement.DUPLICATE, id="an old one again (a replay)"),
        pytest.param(3, 6, Placement.GAP, id="two missing in between"),
    ],
)
def test_place(last_applied: int | None, sequence: int, placement: Placement) -> None:
    assert place(last_applied, sequence) is placement
