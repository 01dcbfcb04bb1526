"""Builds the notification events a case publishes, from its state (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.contracts.case_view import CaseView
from services.contracts.events import Audience, EventKind, NotificationEvent, event_id_for, platform_recipient
from services.contracts.tickets import Ticket

# Status changes a platform is told about through its callback URL.
PLATFORM_EVENTS = frozenset(
    {
        EventKind.CASE_ASSIGNED,
        EventKind.CASE_ACCEPTED,
        EventKind.TRANSFER_NOTICE,
        EventKind.FEEDBACK_GIVEN,
        EventKind.PROGRESS_REPORTED,
        EventKind.CASE_RESOLVED,
        EventKind.REWORK,
        EventKind.CASE_CLOSED,
    }
)


@dataclass(frozen=True)
class Notice:
    """What a notification says beyond the case itself: the deadline it is about, the units a transfer moved
    between, and the free text a person gave (a reason, a note)."""

    detail: str = ""
    deadline_kind: str | None = None
    due: datetime | None = None
    from_unit: str | None = None
    to_unit: str | None = None


NO_NOTICE = Notice()


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
    return NotificationEvent(
        event_id=event_id_for(view.case_id, sequence),
        kind=kind,
        case_id=view.case_id,
        unit=recipient,
        audience=audience,
        sequence=sequence,
        occurred_at=at,
        title=view.title or "",
        status=view.status.value,
        channel=view.channel,
        external_id=view.external_id,
        callback_url=str(ticket.callback_url) if to_platform and ticket.callback_url else None,
        catalog_item=view.catalog_item,
        handling_unit=view.handling_unit,
        first_contact_unit=view.first_contact_unit,
        township=view.township,
        address=None if to_platform else ticket.address,
        urgency=view.urgency,
        deadlines=view.deadlines,
        deadline_kind=notice.deadline_kind,
        due=notice.due,
        escalation_level=view.escalation_level,
        from_unit=notice.from_unit,
        to_unit=notice.to_unit,
        detail=notice.detail,
        previous_sequence=previous_sequence,
    )


def platform_wants(kind: EventKind, ticket: Ticket) -> str | None:
    """The platform recipient for a status change, if the ticket asked for callbacks."""
    if kind in PLATFORM_EVENTS and ticket.callback_url is not None:
        return platform_recipient(ticket.channel.value)
    return None
