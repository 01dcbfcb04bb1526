"""Hotspots by place (`GET /v1/reports/hotspots?by=grid`): a class of cases split by the grid its cases lie in.

The scan finds classes within a township (docs/classes-of-cases.md); a leader asking where in the township sees each
class as one part per grid: the cases of that grid, counted and dated on their own. The place is the routing's
`place` (the grid code the ticket's point lies in or its grid code names, docs/places.md), read from the records.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.contracts.case_classes import CaseClassView


@dataclass(frozen=True)
class PlacedCase:
    """Where one case of a class lies, and when it came in."""

    place: str | None
    received_at: datetime | None


def split_by_place(
    view: CaseClassView, class_case_ids: list[str], placed: dict[str, PlacedCase], *, scoped: bool
) -> list[CaseClassView]:
    """The class as one part per grid, most cases first (ties by grid code; the cases with no place last).

    `class_case_ids`: all the class's cases (a part's `case_count` counts them); `view.cases`: those the caller may
    see. A unit (`scoped`) gets only the parts with a case it may see, as it gets only the classes with one."""
    groups: dict[str | None, list[str]] = {}
    for case_id in class_case_ids:
        found = placed.get(case_id)
        groups.setdefault(found.place if found else None, []).append(case_id)
    parts = []
    for place, case_ids in sorted(groups.items(), key=lambda item: (item[0] is None, -len(item[1]), item[0] or "")):
        members = set(case_ids)
        shown = [case for case in view.cases if case.case_id in members]
        if scoped and not shown:
            continue
        received = [moment for case_id in case_ids if (moment := _received(placed, case_id)) is not None]
        parts.append(
            view.model_copy(
                update={
                    "place": place,
                    "case_count": len(case_ids),
                    "case_ids": [case.case_id for case in shown],
                    "cases": shown,
                    "first_received_at": min(received, default=view.first_received_at),
                    "last_received_at": max(received, default=view.last_received_at),
                }
            )
        )
    return parts


def _received(placed: dict[str, PlacedCase], case_id: str) -> datetime | None:
    found = placed.get(case_id)
    return found.received_at if found else None
