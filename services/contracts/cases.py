"""A case as it moves between services: routed case, workflow state, department actions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from services.contracts.tickets import CODE_PATTERN, Ticket


class CaseStatus(StrEnum):
    RECEIVED = "received"
    TRIAGE = "triage"
    ASSIGNED = "assigned"
    ACCEPTED = "accepted"
    RESOLVED = "resolved"


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
    supporting_units: list[str] = Field(default_factory=list)


class RoutedCase(BaseModel):
    """What the router publishes on `cases.routed.<unit>` (and `cases.triage`); the workflow's input."""

    schema_version: int = 1
    case_id: str
    received_at: AwareDatetime
    ticket: Ticket
    routing: RoutingDecision


class Deadlines(BaseModel):
    feedback: datetime | None = None
    resolution: datetime | None = None


class TimelineEntry(BaseModel):
    at: datetime
    actor: str
    action: str
    detail: str = ""


class CaseView(BaseModel):
    """The state of a case as `GET /v1/cases/{id}` shows it (and the workflow's `state` query answers)."""

    case_id: str
    status: CaseStatus
    channel: str
    external_id: str
    title: str | None = None
    urgency: str = "normal"
    catalog_item: str | None = None
    catalog_version: str | None = None
    first_contact_unit: str | None = None
    handling_unit: str | None = None
    township: str | None = None
    received_at: datetime | None = None
    deadlines: Deadlines = Field(default_factory=Deadlines)
    overdue: bool = False
    escalation_level: int = 0
    routing: RoutingDecision | None = None
    resolution_note: str | None = None
    timeline: list[TimelineEntry] = Field(default_factory=list)


class UnitAction(BaseModel):
    """Body of a department action (`accept`, `resolve`): who acts, and what they say."""

    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        json_schema_extra={"examples": [{"unit": "water", "note": "已安排抢修班组到场"}]},
    )

    unit: str = Field(pattern=CODE_PATTERN, description="Code of the unit acting.")
    note: str = Field(default="", max_length=2000)
