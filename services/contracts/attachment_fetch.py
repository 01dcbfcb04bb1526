"""Attachments a ticket gives by URL (`attachment_urls`): the case workflow asks intake, which keeps the attachments,
to fetch each one by an activity on intake's own task queue; what it asks and what it gets back.

The attachment's id is fixed by the case and the URL's position, so a retried fetch stores the same file once.
"""

from __future__ import annotations

import uuid

from pydantic import BaseModel, Field

from services.contracts.credentials import ClientKind
from services.contracts.tickets import MAX_ATTACHMENT_URLS

ATTACHMENT_TASK_QUEUE = "hotline-attachments"
FETCH_TICKET_ATTACHMENT = "fetch_ticket_attachment"
# The activity's error types: a refusal will not change on a retry (the workflow records it); a failure may pass.
FETCH_REFUSED = "AttachmentFetchRefused"
FETCH_FAILED = "AttachmentFetchFailed"
_NAMESPACE = uuid.UUID("5d8f3c1e-2f7a-4c59-9e0b-6a1d2c3b4e5f")


def fetched_attachment_id(case_id: str, position: int) -> str:
    """The id the file at `attachment_urls[position]` of the case's ticket is stored under, whatever the retries."""
    return uuid.uuid5(_NAMESPACE, f"{case_id}/attachment_urls/{position}").hex


class AttachmentFetch(BaseModel):
    """One of a ticket's attachment URLs to fetch into the case's attachments."""

    case_id: str
    position: int = Field(ge=0, lt=MAX_ATTACHMENT_URLS, description="Its index in the ticket's `attachment_urls`.")
    url: str
    uploaded_by: str = Field(description="Who gave it: the ticket's channel, or the calling unit on a unit's call.")
    uploaded_by_kind: ClientKind
