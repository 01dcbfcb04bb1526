"""The case event log: every change of a case, in order, on `cases.events.<case_id>` (stream `CASE_EVENTS`).

A contract other services build on (the case records, reports): fields are added with defaults, never renamed or
removed, and `schema_version` says which shape an event has. docs/case-events.md describes the whole feed.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from services.contracts.case_ticket import CaseLocation
from services.contracts.case_view import CaseView
from services.contracts.tickets import Caller, Ticket

CASE_EVENTS_PREFIX = "cases.events"
CASE_EVENT_SCHEMA_VERSION = 1


class EventSource(StrEnum):
    """Which workflow wrote the event: triage comes first (when there is one), then the case to its end."""

    TRIAGE = "triage"
    CASE = "case"


class EventFields(BaseModel):
    """What changed, as data (codes, times, numbers): each kind fills the fields that apply to it.

    Sentences a person reads are written from these by whoever shows the event (the notifier's templates, the
    console), never stored here, but for the free text a person gave (`reason`, `note`, `plan`, `comment`).
    """

    unit: str | None = Field(default=None, description="The unit the change is about (when not the actor).")
    from_unit: str | None = None
    to_unit: str | None = None
    item: str | None = Field(default=None, description="Catalog item code.")
    deadline_kind: str | None = None
    due: datetime | None = None
    previous_due: datetime | None = None
    level: int | None = Field(default=None, description="Escalation level reached.")
    level_name: str | None = None
    working_days: int | None = None
    approved: bool | None = None
    status: str | None = Field(default=None, description="A decision's or a joint task's status.")
    speed: str | None = Field(default=None, description="Rating of the response speed.")
    outcome: str | None = Field(default=None, description="Rating of the outcome.")
    round: int | None = Field(default=None, description="Which resolution a rating or rework is about (0: the first).")
    phase: int | None = Field(default=None, description="Joint handling phase number.")
    role: str | None = Field(default=None, description="Joint handling role.")
    reason: str | None = None
    note: str | None = None
    plan: str | None = None
    comment: str | None = None
    attachment_ids: list[str] | None = Field(default=None, description="Attachments the action showed, if any.")


class PersonalData(BaseModel):
    """What the caller said and how to reach them: never on the bus in clear."""

    description: str = ""
    address: str | None = None
    caller: Caller | None = None
    reported_at: datetime | None = Field(default=None, description="When the caller reported it (the platform's).")
    location: CaseLocation | None = Field(
        default=None, description="Where the matter is: the point in WGS-84 (converted) and the grid code given."
    )

    @classmethod
    def of(cls, ticket: Ticket) -> PersonalData:
        return cls(
            description=ticket.description,
            address=ticket.address,
            caller=ticket.caller,
            reported_at=ticket.reported_at,
            location=CaseLocation.of(ticket.location),
        )


class SealedData(BaseModel):
    """`PersonalData` as JSON, encrypted with AES-256-GCM under one of the payload keys (`HOTLINE_PAYLOAD_KEYS`).

    The key id is the associated data: relabelled with another key id, it fails authentication.
    """

    key_id: str
    nonce: str = Field(description="12 bytes, base64.")
    ciphertext: str = Field(description="base64.")


class CaseEvent(BaseModel):
    """One change of a case. `(case_id, sequence)` identifies it; `event_id` is the same identity as a string."""

    schema_version: int = CASE_EVENT_SCHEMA_VERSION
    event_id: str
    case_id: str
    sequence: int = Field(ge=1, description="Per case, from 1 without gaps, across triage and the case.")
    source: EventSource
    kind: str = Field(description="What happened: a `TimelineAction` value (docs/case-events.md lists them).")
    at: datetime
    actor: str = Field(description="Unit or actor code, 'system', 'router', or the channel that sent the ticket.")
    detail: str = Field(default="", description="The timeline entry's words, as `GET /v1/cases/{id}` shows them.")
    fields: EventFields = Field(default_factory=EventFields)
    view: CaseView | None = Field(
        default=None,
        description="The case's public view (`GET /v1/cases/{id}`) after the change, without its timeline "
        "(the events are the timeline).",
    )
    personal: SealedData | None = Field(default=None, description="On the `received` event only.")


def case_events_subject(case_id: str) -> str:
    return f"{CASE_EVENTS_PREFIX}.{case_id}"


def case_event_id(case_id: str, sequence: int) -> str:
    """The event's `Nats-Msg-Id`: the same step of a workflow always publishes the same id."""
    return f"{case_id}:events:{sequence}"
