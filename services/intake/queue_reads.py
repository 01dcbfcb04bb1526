"""A unit's queue from the records: its open cases, as handling unit or with an open joint task, most pressing first.

Order: overdue cases first, then by resolution deadline (none last), then case id; a keyset page on that order, so
every open case is reachable however many there are (the queue read from Temporal's visibility once stopped at the
500 newest, dropping the oldest overdue cases first).
"""

from __future__ import annotations

from typing import Any

from pydantic import AwareDatetime, BaseModel, Field, TypeAdapter
from sqlalchemy import ColumnElement, DateTime, case, cast, func, literal, not_, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection

from services.contracts.case_lists import QueueEntry, QueueRole
from services.contracts.cases import CaseStatus
from services.engines.records_db.tables import case_records
from services.intake.page_cursors import MAX_CURSOR_CHARS, decode_cursor, encode_cursor, fingerprint

DEFAULT_QUEUE_PAGE = 100
MAX_QUEUE_PAGE = 500
CURSOR_KIND = "queue"
_record = case_records.c
# Cases with no resolution deadline (waiting for triage, or stopped) sort after every dated one.
_NEVER = cast(literal("infinity"), DateTime(timezone=True))


class QueuePage(BaseModel):
    """`GET /v1/queue`'s query."""

    status: list[CaseStatus] = Field(
        default_factory=list,
        description="Only cases in any of these statuses (repeatable): `assigned` is what waits to be signed for.",
    )
    limit: int = Field(default=DEFAULT_QUEUE_PAGE, ge=1, le=MAX_QUEUE_PAGE)
    cursor: str | None = Field(default=None, max_length=MAX_CURSOR_CHARS, description="`X-Next-Cursor` of a page.")


class QueuePosition(BaseModel):
    """Where a queue page stopped: its last case's sort key."""

    overdue: bool
    resolution_due: AwareDatetime | None
    case_id: str = Field(max_length=36)


POSITION = TypeAdapter(QueuePosition)


def _sort_key(overdue: Any, resolution_due: Any, case_id: Any) -> tuple[Any, Any, Any]:
    """The queue's order as SQL: not overdue after overdue, then the deadline (none last), then the case id."""
    return not_(overdue), func.coalesce(resolution_due, _NEVER), case_id


def in_queue_of(unit: str) -> ColumnElement[bool]:
    """The unit's open cases: as handling unit, or with a joint task still open."""
    return _record.closed_at.is_(None) & or_(_record.handling_unit == unit, _record.joint_units.contains([unit]))


async def unit_queue(connection: AsyncConnection, unit: str, page: QueuePage) -> tuple[list[QueueEntry], str | None]:
    """One page of the unit's queue, and the cursor of the next (None on the last page)."""
    statuses = sorted({status.value for status in page.status})
    marker = fingerprint({"unit": unit, "status": statuses} if statuses else {"unit": unit})
    conditions = [in_queue_of(unit)]
    if statuses:
        conditions.append(_record.status.in_(statuses))
    if page.cursor:
        after = decode_cursor(page.cursor, CURSOR_KIND, marker, POSITION)
        stopped = _sort_key(
            literal(after.overdue), literal(after.resolution_due, DateTime(timezone=True)), literal(after.case_id)
        )
        sort_key = _sort_key(_record.overdue, _record.resolution_due, _record.case_id)
        conditions.append(tuple_(*sort_key) > tuple_(*stopped))
    role = case((_record.handling_unit == unit, QueueRole.HANDLING.value), else_=QueueRole.JOINT.value)
    query = (
        select(
            _record.case_id,
            _record.status,
            _record.catalog_item,
            _record.township,
            _record.resolution_due,
            _record.overdue,
            _record.escalation_level,
            _record.title,
            _record.urgency,
            _record.sign_for_due,
            _record.feedback_due,
            _record.received_at,
            role.label("role"),
        )
        .where(*conditions)
        .order_by(*_sort_key(_record.overdue, _record.resolution_due, _record.case_id))
        .limit(page.limit + 1)
    )
    rows = (await connection.execute(query)).all()
    entries = [_entry(row) for row in rows[: page.limit]]
    if len(rows) <= page.limit:
        return entries, None
    last = rows[page.limit - 1]
    position = QueuePosition(overdue=last.overdue, resolution_due=last.resolution_due, case_id=last.case_id)
    return entries, encode_cursor(CURSOR_KIND, marker, position, POSITION)


def _entry(row: Any) -> QueueEntry:
    return QueueEntry(
        case_id=row.case_id,
        status=row.status,
        catalog_item=row.catalog_item,
        township=row.township,
        resolution_deadline=row.resolution_due,
        overdue=row.overdue,
        escalation_level=row.escalation_level,
        title=row.title,
        urgency=row.urgency,
        role=QueueRole(row.role),
        sign_for_deadline=row.sign_for_due,
        feedback_deadline=row.feedback_due,
        received_at=row.received_at,
    )
