"""The whole ticket as those on the case read it (`GET /v1/cases/{id}/ticket`): what the caller said, where, and
how to reach them (API contract v1: names are frozen, fields may be added)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class TicketCaller(BaseModel):
    """How to reach the caller, whole or masked (`139****5678`, `王**`): `TicketView.caller_masked` says which."""

    name: str | None = None
    phone: str | None = None
    confidential: bool = Field(default=False, description="The caller asked for confidentiality (保密).")


class TicketView(BaseModel):
    """The ticket's content from the case records; reading it with a caller's contact is written to the access
    log."""

    case_id: str
    channel: str
    external_id: str = Field(description="The platform's (or calling unit's) own ticket id.")
    title: str | None = None
    description: str = Field(description="What the caller said, as the platform sent it.")
    address: str | None = None
    reported_at: datetime | None = Field(default=None, description="When the caller reported it (the platform's).")
    received_at: datetime | None = Field(default=None, description="When intake received the ticket.")
    caller: TicketCaller | None = Field(default=None, description="Null when the ticket names no caller.")
    caller_masked: bool = Field(
        default=False,
        description="A confidential caller shown to a unit or a leader: name and phone masked. The coordination "
        "centre and the ticket's own platform see them whole.",
    )
