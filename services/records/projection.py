"""Where an event of a case's log stands against what the records hold (pure): apply it, drop it, or wait."""

from __future__ import annotations

from enum import StrEnum


class Placement(StrEnum):
    APPLY = "apply"  # the next event of the case
    DUPLICATE = "duplicate"  # applied already (a redelivery or a replay): changes nothing
    GAP = "gap"  # an earlier event is still to come: wait for it


def place(last_applied: int | None, sequence: int) -> Placement:
    """An event's placement, given the last sequence applied for its case (None: the case has no record yet)."""
    expected = (last_applied or 0) + 1
    if sequence < expected:
        return Placement.DUPLICATE
    if sequence > expected:
        return Placement.GAP
    return Placement.APPLY
