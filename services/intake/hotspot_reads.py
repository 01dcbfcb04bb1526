"""Reading the classes of cases (类案) for `GET /v1/reports/hotspots`: the filters, who sees which class, the pages.

The coordination centre and leaders see every class; a unit sees the classes in which it handles cases, and of
their cases those it is or was on (the count is the whole class's). Pages are keyset pages on
`(detected_at, class_id)`, newest first. With `by=grid` each class of a page comes as one part per grid its cases lie
in (hotspot_places.py): the page is still a page of classes, so the cursor is the same.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, TypeAdapter
from sqlalchemy import ColumnElement, and_, exists, func, or_, select, true, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection

from services.contracts.case_classes import (
    KIND_CODE_PATTERN,
    CaseClassView,
    ClassCase,
    HotspotGrouping,
    HotspotPage,
)
from services.contracts.credentials import ClientKind, Principal
from services.contracts.tickets import CODE_PATTERN, ITEM_CODE_PATTERN
from services.engines.records_db.tables import case_classes, case_records
from services.intake.auth import require_kind
from services.intake.hotspot_places import PlacedCase, split_by_place
from services.intake.page_cursors import MAX_CURSOR_CHARS, decode_cursor, encode_cursor, fingerprint

DEFAULT_PAGE = 20
MAX_PAGE = 100
CURSOR_KIND = "hotspots"
_class = case_classes.c


class HotspotQuery(BaseModel):
    """Which classes: every filter given must hold."""

    model_config = ConfigDict(extra="forbid")

    kind: str | None = Field(default=None, pattern=KIND_CODE_PATTERN, description="`item_township`, `address` ...")
    item: str | None = Field(default=None, pattern=ITEM_CODE_PATTERN, description="The classes' catalog item.")
    township: str | None = Field(default=None, pattern=CODE_PATTERN)
    active: bool | None = Field(
        default=None, description="true: cases may still join (its last case is within its window); false: ended."
    )
    since: AwareDatetime | None = Field(default=None, description="Found at or after (RFC 3339).")
    limit: int = Field(default=DEFAULT_PAGE, ge=1, le=MAX_PAGE)
    cursor: str | None = Field(default=None, max_length=MAX_CURSOR_CHARS, description="`next_cursor` of a page.")
    by: HotspotGrouping = Field(
        default=HotspotGrouping.TOWNSHIP,
        description="`township`: each class as found; `grid`: each class split by the grid its cases lie in.",
    )

    def fingerprint(self) -> str:
        # `by` is left out at its default, so that the cursors given before it existed still hold.
        excluded = {"limit", "cursor"} | ({"by"} if self.by is HotspotGrouping.TOWNSHIP else set())
        return fingerprint(self.model_dump(mode="json", exclude=excluded))


class Position(BaseModel):
    detected_at: AwareDatetime
    class_id: str = Field(max_length=36)


_POSITION = TypeAdapter(Position)


def hotspot_scope(caller: Principal) -> str | None:
    """None: every class (the coordination centre, leaders); a unit code: that unit's classes; anyone else 403."""
    require_kind(caller, ClientKind.COORDINATION, ClientKind.LEADER, ClientKind.UNIT, action="read classes of cases")
    return caller.subject if caller.kind is ClientKind.UNIT else None


async def find_classes(
    connection: AsyncConnection, query: HotspotQuery, *, unit: str | None, now: datetime | None = None
) -> HotspotPage:
    """One page of the classes the caller may see that match the query, each with the cases the caller may see."""
    now = now or datetime.now(UTC)
    filters = query.fingerprint()
    conditions = [*_conditions(query, now), _visible(unit)]
    if query.cursor is not None:
        after = decode_cursor(query.cursor, CURSOR_KIND, filters, _POSITION)
        conditions.append(tuple_(_class.detected_at, _class.class_id) < tuple_(after.detected_at, after.class_id))
    rows = (
        await connection.execute(
            select(case_classes)
            .where(and_(*conditions))
            .order_by(_class.detected_at.desc(), _class.class_id.desc())
            .limit(query.limit + 1)
        )
    ).all()
    more = len(rows) > query.limit
    rows = rows[: query.limit]
    cases = await _cases(connection, {case_id for row in rows for case_id in row.case_ids}, unit=unit)
    classes = [_view(row, cases, now) for row in rows]
    if query.by is HotspotGrouping.GRID:
        placed = await _placed(connection, {case_id for row in rows for case_id in row.case_ids})
        classes = [
            part
            for row, view in zip(rows, classes, strict=True)
            for part in split_by_place(view, list(row.case_ids), placed, scoped=unit is not None)
        ]
    cursor = None
    if more and rows:
        last = rows[-1]
        cursor = encode_cursor(
            CURSOR_KIND, filters, Position(detected_at=last.detected_at, class_id=last.class_id), _POSITION
        )
    return HotspotPage(classes=classes, next_cursor=cursor)


def _conditions(query: HotspotQuery, now: datetime) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if query.kind is not None:
        conditions.append(_class.kind == query.kind)
    if query.item is not None:
        conditions.append(_class.catalog_item == query.item)
    if query.township is not None:
        conditions.append(_class.township == query.township)
    if query.active is not None:
        conditions.append(_class.active_until > now if query.active else _class.active_until <= now)
    if query.since is not None:
        conditions.append(_class.detected_at >= query.since)
    return conditions


def _visible(unit: str | None) -> ColumnElement[bool]:
    """A unit's classes: those with a case in its hands."""
    if unit is None:
        return true()
    return exists().where(
        case_records.c.case_id == func.any(_class.case_ids),
        case_records.c.handling_unit == unit,
    )


async def _cases(connection: AsyncConnection, case_ids: set[str], *, unit: str | None) -> dict[str, ClassCase]:
    if not case_ids:
        return {}
    record = case_records.c
    condition: ColumnElement[bool] = record.case_id.in_(sorted(case_ids))
    if unit is not None:
        condition = and_(condition, or_(record.units.any(unit), record.handling_unit == unit))
    rows = await connection.execute(
        select(
            record.case_id,
            record.title,
            record.status,
            record.catalog_item,
            record.township,
            record.handling_unit,
            record.received_at,
            record.closed_at,
            record.place,
        ).where(condition)
    )
    return {
        row.case_id: ClassCase(
            case_id=row.case_id,
            title=row.title,
            status=row.status,
            catalog_item=row.catalog_item,
            township=row.township,
            handling_unit=row.handling_unit,
            received_at=row.received_at,
            closed=row.closed_at is not None,
            place=row.place,
        )
        for row in rows
    }


async def _placed(connection: AsyncConnection, case_ids: set[str]) -> dict[str, PlacedCase]:
    """Where each of the cases lies and when it came in, whoever may see it (a part's count is all of its cases)."""
    if not case_ids:
        return {}
    record = case_records.c
    rows = await connection.execute(
        select(record.case_id, record.received_at, record.place).where(record.case_id.in_(sorted(case_ids)))
    )
    return {row.case_id: PlacedCase(place=row.place, received_at=row.received_at) for row in rows}


def _view(row: Any, cases: dict[str, ClassCase], now: datetime) -> CaseClassView:
    shown = sorted(
        (cases[case_id] for case_id in row.case_ids if case_id in cases),
        key=lambda case: (case.received_at or now, case.case_id),
    )
    return CaseClassView(
        class_id=row.class_id,
        kind=row.kind,
        kind_name=row.kind_name,
        catalog_item=row.catalog_item,
        township=row.township,
        label=row.label,
        case_count=row.case_count,
        first_received_at=row.first_received_at,
        last_received_at=row.last_received_at,
        detected_at=row.detected_at,
        case_ids=[case.case_id for case in shown],
        rectification_id=row.rectification_id,
        active=row.active_until > now,
        active_until=row.active_until,
        notified_at=row.notified_at,
        place=row.place,
        cases=shown,
    )
