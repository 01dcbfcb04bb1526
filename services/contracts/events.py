"""Notification events the workflows publish on `notify.<unit>.<event>`."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from services.contracts.cases import Deadlines


class EventKind(StrEnum):
    CASE_ASSIGNED = "case_assigned"
    CASE_ACCEPTED = "case_accepted"
    CASE_RESOLVED = "case_resolved"
    DEADLINE_BREACHED = "deadline_breached"


class NotificationEvent(BaseModel):
    """One thing a unit must know or act on. `event_id` is the idempotency key end to end."""

    schema_version: int = 1
    event_id: str
    kind: EventKind
    case_id: str
    unit: str = Field(description="The unit this event is addressed to.")
    sequence: int = Field(ge=1, description="Per-case sequence number, in the order events happened.")
    occurred_at: datetime
    title: str
    catalog_item: str | None = None
    handling_unit: str | None = None
    first_contact_unit: str | None = None
    township: str | None = None
    address: str | None = None
    urgency: str = "normal"
    deadlines: Deadlines = Field(default_factory=Deadlines)
    detail: str = ""


def event_id_for(case_id: str, sequence: int) -> str:
    """Deterministic event id: the same workflow step always publishes the same id."""
    return f"{case_id}:{sequence}"
