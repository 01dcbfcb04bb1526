"""The access log (`GET /v1/admin/access-log`): who read a caller's contact, when, on which case, and why."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from services.contracts.credentials import ClientKind


class AccessPurpose(StrEnum):
    """Why a caller's data was read: what answer revealed it."""

    TICKET = "ticket"  # GET /v1/cases/{id}/ticket
    ATTACHMENT = "attachment"  # a download of a case's attachment (file or thumbnail) by its link


class AccessLogEntry(BaseModel):
    """One answer that revealed a caller's name or phone, written before the answer was sent."""

    id: int = Field(description="Increasing: a later entry has a larger id.")
    at: datetime
    client_id: str
    client_kind: ClientKind
    subject: str = Field(description="What the client acts as: a unit's or leader's code, a platform's channel.")
    case_id: str
    purpose: str = Field(
        description="An `AccessPurpose` value (`ticket`, `attachment`; later kinds of reads add theirs)."
    )
    masked: bool = Field(description="The contact was shown masked (a confidential caller, to a unit or leader).")


class AccessLogPage(BaseModel):
    """Entries newest first; `next_cursor` fetches the older ones (null on the last page)."""

    items: list[AccessLogEntry]
    next_cursor: str | None = None
