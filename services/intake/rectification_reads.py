"""Reading special rectifications from the `rectifications` table (their workflows record every change), and who
may read or act on which: the coordination centre and leaders read all; a unit reads those it leads or takes part
in, and reports their progress; the coordination centre opens and closes them."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter
from sqlalchemy import ColumnElement, and_, or_, select, true, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection

from services.contracts.credentials import ClientKind, Principal
from services.contracts.rectifications import (
    UUID_PATTERN,
    RectificationPage,
    RectificationStatus,
    RectificationView,
)
from services.contracts.tickets import CODE_PATTERN
from services.engines.records_db.tables import case_classes, rectifications
from services.intake.auth import refuse, require_kind
from services.intake.page_cursors import MAX_CURSOR_CHARS, decode_cursor, encode_cursor, fingerprint

DEFAULT_PAGE = 20
MAX_PAGE = 100
CURSOR_KIND = "rectifications"
READERS = (ClientKind.COORDINATION, ClientKind.LEADER, ClientKind.UNIT)
_row = rectifications.c


class RectificationQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: RectificationStatus | None = None
    class_id: str | None = Field(default=None, pattern=UUID_PATTERN)
    unit: str | None = Field(default=None, pattern=CODE_PATTERN, description="Led by or taking part: this unit.")
    limit: int = Field(default=DEFAULT_PAGE, ge=1, le=MAX_PAGE)
    cursor: str | None = Field(default=None, max_length=MAX_CURSOR_CHARS, description="`next_cursor` of a page.")

    def fingerprint(self) -> str:
        return fingerprint(self.model_dump(mode="json", exclude={"limit", "cursor"}))


class Position(BaseModel):
    opened_at: AwareDatetime
    rectification_id: str = Field(max_length=36)


_POSITION = TypeAdapter(Position)


def reader_scope(caller: Principal) -> str | None:
    """None: every rectification (the coordination centre, leaders); a unit code: those of that unit; else 403."""
    require_kind(caller, *READERS, action="read special rectifications")
    return caller.subject if caller.kind is ClientKind.UNIT else None


def require_reader(caller: Principal, view: RectificationView) -> None:
    """403 unless the caller reads every rectification or is this one's lead unit or a participant."""
    unit = reader_scope(caller)
    if unit is not None and unit not in (view.lead_unit, *view.participants):
        raise refuse(
            403,
            "not_involved",
            "this rectification is neither led by nor taken part in by you",
            client=caller.client_id,
        )


async def find_rectification(connection: AsyncConnection, rectification_id: str) -> RectificationView | None:
    """The rectification as last recorded; None if there is none of this id."""
    stored = await connection.scalar(select(_row.view).where(_row.rectification_id == rectification_id))
    return None if stored is None else RectificationView.model_validate(stored)


async def find_rectifications(
    connection: AsyncConnection, query: RectificationQuery, *, unit: str | None
) -> RectificationPage:
    """A page of the rectifications the caller may read, newest first."""
    filters = query.fingerprint()
    conditions: list[ColumnElement[bool]] = [_involving(unit), _involving(query.unit)]
    if query.status is not None:
        conditions.append(_row.status == query.status.value)
    if query.class_id is not None:
        conditions.append(_row.class_id == query.class_id)
    if query.cursor is not None:
        after = decode_cursor(query.cursor, CURSOR_KIND, filters, _POSITION)
        conditions.append(
            tuple_(_row.opened_at, _row.rectification_id) < tuple_(after.opened_at, after.rectification_id)
        )
    rows = (
        await connection.execute(
            select(_row.view, _row.opened_at, _row.rectification_id)
            .where(and_(*conditions))
            .order_by(_row.opened_at.desc(), _row.rectification_id.desc())
            .limit(query.limit + 1)
        )
    ).all()
    page = rows[: query.limit]
    cursor = None
    if len(rows) > query.limit:
        last = page[-1]
        position = Position(opened_at=last.opened_at, rectification_id=last.rectification_id)
        cursor = encode_cursor(CURSOR_KIND, filters, position, _POSITION)
    return RectificationPage(
        rectifications=[RectificationView.model_validate(row.view) for row in page], next_cursor=cursor
    )


def _involving(unit: str | None) -> ColumnElement[bool]:
    if unit is None:
        return true()
    return or_(_row.lead_unit == unit, _row.participants.any(unit))


class ClassStanding(BaseModel):
    """A class of cases as an opening sees it: whether it exists, and its open rectification if any."""

    class_id: str
    open_rectification: str | None
    last_received_at: datetime


async def class_standing(connection: AsyncConnection, class_id: str) -> ClassStanding | None:
    """The class and its open rectification; None for an unknown class."""
    row = (
        await connection.execute(
            select(case_classes.c.class_id, case_classes.c.last_received_at).where(case_classes.c.class_id == class_id)
        )
    ).one_or_none()
    if row is None:
        return None
    open_one = await connection.scalar(
        select(_row.rectification_id).where(_row.class_id == class_id, _row.status == RectificationStatus.OPEN.value)
    )
    return ClassStanding(class_id=class_id, open_rectification=open_one, last_received_at=row.last_received_at)
