"""A case on its way in: the received ticket, the routing decision and the routed case (the workflow input)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, Field

from services.contracts.tickets import Ticket

CALLING_UNIT = (
    "A township or key-work call: the unit that called (the submitting credential's), part of the case's identity; "
    "it rates the case and never handles it. None for a platform's ticket."
)


class CaseStatus(StrEnum):
    RECEIVED = "received"
    TRIAGE = "triage"
    ASSIGNED = "assigned"
    ACCEPTED = "accepted"
    ARBITRATION = "arbitration"
    RESOLVED = "resolved"
    REWORK = "rework"
    CLOSED = "closed"


class RoutingMethod(StrEnum):
    """How the case's item (and so its unit) was found."""

    CATEGORY_CODE = "category_code"  # the ticket named a catalog item
    PLATFORM_MAPPING = "platform_mapping"  # the ticket named its platform's own category, mapped to an item
    TEXT = "text"  # the free-text classifier read the title and description
    TRIAGE = "triage"  # the coordination centre decided
    NONE = "none"  # nothing to go on: needs triage


class ReceivedTicket(BaseModel):
    """What intake publishes on `cases.intake.<channel>`: the ticket, its case id and when we received it."""

    schema_version: int = 1
    case_id: str
    received_at: AwareDatetime
    ticket: Ticket
    calling_unit: str | None = Field(default=None, description=CALLING_UNIT)


class RoutingDecision(BaseModel):
    """Why a case went where it went (explained on the case). `unit=None`: the case waits for triage."""

    method: RoutingMethod
    item: str | None = Field(default=None, description="The catalog item (with no unit: the best guess).")
    unit: str | None = None
    catalog_version: str
    reason: str = ""
    complexity: str = "normal"
    urgent_allowed: bool = True
    major: bool = Field(
        default=False, description="A major item: missed deadlines may climb by themselves to top-level coordination."
    )
    supporting_units: list[str] = Field(default_factory=list)
    confidence: float | None = Field(default=None, description="Text classification: how sure, 0 to 1.")
    runner_up: str | None = Field(default=None, description="Text classification: the next best item.")
    runner_up_confidence: float | None = None
    township: str | None = Field(default=None, description="The ticket's township, as named or found in its address.")
    township_source: str | None = Field(
        default=None,
        description="'ticket', 'location' (the point lies in it), 'grid_code' (the ticket's grid code names it), "
        "'address' or 'triage'.",
    )
    place: str | None = Field(
        default=None,
        description="The finest boundary the ticket's location lies in or names (a grid code: "
        "`district.township.community.grid`); a code, never the point.",
    )
    boundaries_version: str | None = Field(
        default=None, description="The version of the district's boundaries `place` was found in."
    )
    decided_by: str | None = Field(default=None, description="Triage: who decided.")
    decided_at: datetime | None = None
    note: str = Field(default="", description="Triage: the decision's note.")
    original: RoutingDecision | None = Field(default=None, description="Triage: the router's decision it replaced.")


class RoutedCase(BaseModel):
    """What the router publishes on `cases.routed.<unit>` (and `cases.triage`); the workflow's input."""

    schema_version: int = 1
    case_id: str
    received_at: AwareDatetime
    ticket: Ticket
    routing: RoutingDecision
    events_published: int = Field(
        default=0, ge=0, description="Events of the case's log its triage published before it was routed."
    )
    calling_unit: str | None = Field(default=None, description=CALLING_UNIT)
