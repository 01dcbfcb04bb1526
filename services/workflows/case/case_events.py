"""Builds the notification events a case publishes, from its state (pure): what the case is, for `notification`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from services.contracts.case_view import CaseAttachment, CaseView
from services.contracts.events import PLATFORM_EVENTS, Audience, EventKind, NotificationEvent, platform_recipient
from services.contracts.tickets import Ticket
from services.workflows.publishing.workflow_notices import NO_NOTICE, About, Notice, notification

# What a unit is handed a case by: it carries the ticket's description, so a clerk can judge the case from the
# message (the caller's contact stays out; the unit reads it with `GET /v1/cases/{id}/ticket`).
DESCRIBED_EVENTS = frozenset({EventKind.CASE_ASSIGNED, EventKind.ARBITRATION_DECIDED})


def carries_description(kind: EventKind, audience: Audience) -> bool:
    """Whether this notification carries the ticket's description (sealed on the bus): a unit's assignment."""
    return kind in DESCRIBED_EVENTS and audience is Audience.UNIT


def case_event(
    view: CaseView,
    ticket: Ticket,
    *,
    kind: EventKind,
    sequence: int,
    at: datetime,
    recipient: str,
    audience: Audience = Audience.UNIT,
    notice: Notice = NO_NOTICE,
    previous_sequence: int | None = None,
) -> NotificationEvent:
    """An event about the case for one recipient; personal data stays out (units get the address only)."""
    to_platform = audience is Audience.PLATFORM
    about = About(
        case_id=view.case_id,
        title=view.title or "",
        status=view.status.value,
        handling_unit=view.handling_unit,
        first_contact_unit=view.first_contact_unit,
        escalation_level=view.escalation_level,
        channel=view.channel,
        external_id=view.external_id,
        catalog_item=view.catalog_item,
        township=view.township,
        urgency=view.urgency,
        deadlines=view.deadlines,
    )
    return notification(
        about,
        kind=kind,
        sequence=sequence,
        at=at,
        recipient=recipient,
        audience=audience,
        notice=notice,
        address=None if to_platform else ticket.address,
        callback_url=str(ticket.callback_url) if to_platform and ticket.callback_url else None,
        previous_sequence=previous_sequence,
        thumbnail_ids=with_thumbnails(view.attachments, notice.attachment_ids),
    )


def with_thumbnails(attachments: Sequence[CaseAttachment], attachment_ids: Sequence[str]) -> list[str]:
    """Those of `attachment_ids` the case lists as images with a thumbnail, in the order they were named."""
    thumbnailed = {attachment.attachment_id for attachment in attachments if attachment.has_thumbnail}
    return [attachment_id for attachment_id in attachment_ids if attachment_id in thumbnailed]


def platform_wants(kind: EventKind, ticket: Ticket) -> str | None:
    """The platform recipient for a status change, if the ticket asked for callbacks."""
    if kind in PLATFORM_EVENTS and ticket.callback_url is not None:
        return platform_recipient(ticket.channel.value)
    return None
