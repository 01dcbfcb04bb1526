"""One row of `unit_case_facts`: a unit's part in a case (a handling stint or a joint task), as `unit_facts` derives
it; the rates count them (services/contracts/assessment.py)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from services.contracts.assessment import FactRating, FactRole


@dataclass(slots=True)
class UnitFact:
    """One row of `unit_case_facts` (the table's columns, same names)."""

    case_id: str
    unit: str
    role: FactRole
    stint: int
    channel: str
    catalog_item: str | None
    township: str | None
    received_at: datetime
    accepted_at: datetime | None = None
    feedback_at: datetime | None = None
    resolved_at: datetime | None = None
    left_at: datetime | None = None
    rated_at: datetime | None = None
    closed_at: datetime | None = None
    sign_for_on_time: bool | None = None
    sign_for_known_at: datetime | None = None
    feedback_on_time: bool | None = None
    feedback_known_at: datetime | None = None
    resolution_on_time: bool | None = None
    resolution_known_at: datetime | None = None
    extended: bool = False
    extended_at: datetime | None = None
    arbitration_lost: bool = False
    transferred_out: bool = False
    still_open: bool = True
    rating: FactRating | None = None
    rework_times: list[datetime] = field(default_factory=list)
    breach_times: list[datetime] = field(default_factory=list)
    escalation_times: list[datetime] = field(default_factory=list)
    handling_hours: float | None = None

    def row(self) -> dict[str, Any]:
        """The row as the table takes it (the counts beside their times)."""
        row = {name: getattr(self, name) for name in _FIELDS}
        row["role"] = self.role.value
        row["rating"] = self.rating.value if self.rating is not None else None
        row["reworks"] = len(self.rework_times)
        row["breaches"] = len(self.breach_times)
        row["escalations"] = len(self.escalation_times)
        return row


_FIELDS = tuple(f.name for f in fields(UnitFact))
