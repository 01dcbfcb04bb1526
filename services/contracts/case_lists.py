"""Cases as lists show them: a search's results (`GET /v1/cases`) and a unit's queue (`GET /v1/queue`).

API contract v1: names are frozen, fields may be added. Neither carries personal data: what the caller said and
how to reach them is the case's own read (`GET /v1/cases/{id}`), where each read of a contact is logged.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from services.contracts.cases import CALLING_UNIT


class CaseSummary(BaseModel):
    """One case in a search's results: the record's plain columns."""

    case_id: str
    status: str
    channel: str
    external_id: str
    title: str | None = None
    urgency: str = "normal"
    catalog_item: str | None = None
    first_contact_unit: str | None = None
    handling_unit: str | None = None
    township: str | None = None
    calling_unit: str | None = Field(default=None, description=CALLING_UNIT)
    escalation_level: int = 0
    overdue: bool = False
    reworks: int = 0
    sign_for_deadline: datetime | None = None
    feedback_deadline: datetime | None = None
    resolution_deadline: datetime | None = None
    rating_outcome: str | None = None
    received_at: datetime | None = None
    reported_at: datetime | None = Field(default=None, description="When the caller reported it (the ticket's).")
    closed_at: datetime | None = None
    closed_reason: str | None = None


class CasePage(BaseModel):
    """A page of a search: `next_cursor` fetches the next one (same filters), None on the last page."""

    items: list[CaseSummary]
    next_cursor: str | None = Field(
        default=None, description="Opaque: pass it back as `cursor` with the same filters for the next page."
    )


class QueueRole(StrEnum):
    """Why a case is in a unit's queue."""

    HANDLING = "handling"  # the unit handles the case
    JOINT = "joint"  # the unit has an open task in the case's joint handling (联合办理)


class QueueEntry(BaseModel):
    """One open case in a unit's queue."""

    case_id: str
    status: str | None
    catalog_item: str | None
    township: str | None
    resolution_deadline: datetime | None
    overdue: bool
    escalation_level: int
    title: str | None = None
    urgency: str | None = None
    role: QueueRole = QueueRole.HANDLING
    sign_for_deadline: datetime | None = None
    feedback_deadline: datetime | None = None
    received_at: datetime | None = None
