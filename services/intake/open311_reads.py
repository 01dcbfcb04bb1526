"""What an Open311 service request shows beyond a case's summary, read from the records for a page of cases at once:
the ticket's description, address and point (sealed columns, opened; the point in WGS-84, as Open311 gives it), when
the case last changed (its last event) and its latest photo (from the recorded view's attachments).

Neither is a caller's contact, so no read here is written to the access log (the name and phone never leave).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from services.contracts.payload_keys import PayloadKeyring
from services.engines.records_db.personal_columns import COLUMNS, LOCATION_COLUMN, open_columns
from services.engines.records_db.tables import case_events, case_records
from services.intake.case_records import CaseRecords

_record = case_records.c
# The row's columns `open_columns` reads: the key id, the confidentiality flag and the sealed columns.
_SEALED = (
    _record.case_id,
    _record.personal_key_id,
    _record.caller_confidential,
    *(_record[c] for c in COLUMNS),
    _record[LOCATION_COLUMN],
    _record.view["attachments"].label("attachments"),
)


@dataclass(frozen=True)
class TicketFacts:
    description: str | None
    address: str | None
    updated_at: datetime | None
    latitude: float | None = None  # WGS-84
    longitude: float | None = None
    media_attachment_id: str | None = None


def latest_image(attachments: list[dict[str, Any]] | None) -> str | None:
    """The id of the last image among a recorded view's attachments (the one `media_url` links to)."""
    return next((a.get("attachment_id") for a in reversed(attachments or []) if a.get("kind") == "image"), None)


async def ticket_facts(
    records: CaseRecords, keyring: PayloadKeyring, case_ids: Sequence[str]
) -> dict[str, TicketFacts]:
    """Each recorded case's description, address and last event time; a case the records do not hold yet is
    missing from the answer."""
    if not case_ids:
        return {}
    async with records.reading() as connection:
        rows = (await connection.execute(select(*_SEALED).where(_record.case_id.in_(list(case_ids))))).all()
        last_events = dict(
            (
                await connection.execute(
                    select(case_events.c.case_id, func.max(case_events.c.at))
                    .where(case_events.c.case_id.in_(list(case_ids)))
                    .group_by(case_events.c.case_id)
                )
            )
            .tuples()
            .all()
        )
    facts = {}
    for row in rows:
        content = open_columns(row.case_id, row, keyring)
        facts[row.case_id] = TicketFacts(
            description=content.description if content else None,
            address=content.address if content else None,
            updated_at=last_events.get(row.case_id),
            latitude=content.latitude if content else None,
            longitude=content.longitude if content else None,
            media_attachment_id=latest_image(row.attachments),
        )
    return facts
