"""A case's whole ticket from the records: its sealed columns opened, and a confidential caller masked for readers
who may not see it whole."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from services.contracts.case_ticket import TicketCaller, TicketView
from services.contracts.payload_keys import PayloadKeyring
from services.contracts.text_masking import mask_name, mask_phone
from services.engines.records_db.personal_columns import COLUMNS, LOCATION_COLUMN, TicketContent, open_columns
from services.engines.records_db.tables import case_records
from services.intake.case_records import CaseRecords

_TICKET_COLUMNS = [
    case_records.c[name]
    for name in (
        "channel",
        "external_id",
        "title",
        "received_at",
        "reported_at",
        "personal_key_id",
        "caller_confidential",
        *COLUMNS,
        LOCATION_COLUMN,
    )
]


@dataclass(frozen=True)
class RecordedTicket:
    """A ticket as the records keep it, opened."""

    case_id: str
    channel: str
    external_id: str
    title: str | None
    received_at: datetime | None
    content: TicketContent


async def recorded_ticket(records: CaseRecords, keyring: PayloadKeyring, case_id: str) -> RecordedTicket | None:
    """The case's ticket, opened with the payload keys; None while the records do not hold it yet."""
    async with records.reading() as connection:
        row = (
            await connection.execute(select(*_TICKET_COLUMNS).where(case_records.c.case_id == case_id))
        ).one_or_none()
    content = None if row is None else open_columns(case_id, row, keyring)
    if row is None or content is None:
        return None
    return RecordedTicket(
        case_id=case_id,
        channel=row.channel,
        external_id=row.external_id,
        title=row.title,
        received_at=row.received_at,
        content=content,
    )


def ticket_view(ticket: RecordedTicket, *, mask_confidential: bool) -> TicketView:
    """What a reader is shown: with `mask_confidential`, a confidential caller's name and phone masked."""
    content = ticket.content
    masked = mask_confidential and content.caller_confidential
    caller = None
    if content.caller_name is not None or content.caller_phone is not None or content.caller_confidential:
        name, phone = content.caller_name, content.caller_phone
        if masked:
            name = mask_name(name) if name else name
            phone = mask_phone(phone) if phone else phone
        caller = TicketCaller(name=name, phone=phone, confidential=content.caller_confidential)
    return TicketView(
        case_id=ticket.case_id,
        channel=ticket.channel,
        external_id=ticket.external_id,
        title=ticket.title,
        description=content.description,
        address=content.address,
        location=content.location,
        reported_at=content.reported_at,
        received_at=ticket.received_at,
        caller=caller,
        caller_masked=masked,
    )


def reveals_contact(view: TicketView) -> bool:
    """Whether the answer shows a caller's name or phone (masked or not): such an answer is written to the access
    log first."""
    return view.caller is not None and bool(view.caller.name or view.caller.phone)
