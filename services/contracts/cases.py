"""A case on its way in: the received ticket, the routing decision and the routed case (the workflow input)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, Field

from services.contracts.tickets import Ticket


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
    CATEGORY_CODE = "category_code"
    NONE = "none"


class ReceivedTicket(BaseModel):
    """What intake publishes on `cases.intake.<channel>`: the ticket, its case id and when we received it."""

    schema_version: int = 1
    case_id: str
    received_at: AwareDatetime
    ticket: Ticket


class RoutingDecision(BaseModel):
    """Why a case went where it went (explained on the case)."""

    method: RoutingMethod
    item: str | None = None
    unit: str | None = None
    catalog_version: str
    reason: str = ""
    complexity: str = "normal"
    urgent_allowed: bool = True
    supporting_units: list[str] = Field(default_factory=list)


class RoutedCase(BaseModel):
    """What the router publishes on `cases.routed.<unit>` (and `cases.triage`); the workflow's input."""

    schema_version: int = 1
    case_id: str
    received_at: AwareDatetime
    ticket: Ticket
    routing: RoutingDecision
