"""Cases as lists show them: a search's results (`GET /v1/cases`) and a unit's queue (`GET /v1/queue`).

API contract v1: names are frozen, fields may be added. Neither carries personal data: what the caller said and
how to reach them is the case's own read (`GET /v1/cases/{id}`), where each read of a contact is logged.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from services.contracts.cases import CALLING_UNIT


class PendingExtension(BaseModel):
    """An extension request waiting for the coordination centre's decision."""

    requested_by: str
    working_days: int
    reason: str
    requested_at: datetime | None = None


class CaseSummary(BaseModel):
    """One case in a search's results: the record's plain columns, and what a desk lists of its view."""

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
    place: str | None = Field(
        default=None, description="Where the routing placed it: a place code of the district's boundaries (a grid)."
    )
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
    triage_deadline: datetime | None = Field(default=None, description="For the coordination centre's triage.")
    arbitration_deadline: datetime | None = Field(default=None, description="For the centre's arbitration.")
    routing_confidence: float | None = Field(
        default=None, description="Text classification: how sure the router was of `catalog_item`, 0 to 1."
    )
    runner_up: str | None = Field(default=None, description="Text classification: the next best item.")
    runner_up_confidence: float | None = None
    transfers: int = Field(default=0, description="How many times the case was passed on (transfers).")
    pending_extension: PendingExtension | None = Field(
        default=None, description="An extension request the coordination centre has not decided yet."
    )


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
