"""Special rectifications in PostgreSQL: claiming a class, the class's cases, and the recorded view."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Row, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.contracts.rectifications import RectificationStatus, RectificationView
from services.engines.records_db.tables import case_classes, case_records, rectifications


async def locked_class(connection: AsyncConnection, class_id: str) -> Row[Any] | None:
    """The class, its row locked to the end of the transaction (two openings for one class go one at a time)."""
    result = await connection.execute(select(case_classes).where(case_classes.c.class_id == class_id).with_for_update())
    return result.one_or_none()


async def open_rectification_of(connection: AsyncConnection, class_id: str, *, other_than: str) -> str | None:
    """The id of the class's open rectification, if one other than `other_than` is open."""
    found: str | None = await connection.scalar(
        select(rectifications.c.rectification_id).where(
            rectifications.c.class_id == class_id,
            rectifications.c.status == RectificationStatus.OPEN.value,
            rectifications.c.rectification_id != other_than,
        )
    )
    return found


async def case_states(connection: AsyncConnection, case_ids: list[str]) -> dict[str, bool]:
    """Each recorded case of these: closed or not."""
    rows = await connection.execute(
        select(case_records.c.case_id, case_records.c.closed_at).where(case_records.c.case_id.in_(case_ids))
    )
    return {row.case_id: row.closed_at is not None for row in rows}


async def class_case_ids(connection: AsyncConnection, class_id: str) -> list[str]:
    """Every case id of the class (none for an unknown class)."""
    ids = await connection.scalar(select(case_classes.c.case_ids).where(case_classes.c.class_id == class_id))
    return list(ids or [])


async def link_class(connection: AsyncConnection, class_id: str, rectification_id: str) -> None:
    """Name the rectification on its class (the hotspots list shows it)."""
    await connection.execute(
        update(case_classes).where(case_classes.c.class_id == class_id).values(rectification_id=rectification_id)
    )


async def save_view(connection: AsyncConnection, view: RectificationView, *, at: datetime) -> bool:
    """Write the view unless a newer revision is there already; whether it was written."""
    last = view.last_progress()
    row = {
        "rectification_id": view.rectification_id,
        "class_id": view.class_id,
        "title": view.title,
        "lead_unit": view.lead_unit,
        "participants": view.participants,
        "status": view.status.value,
        "deadline": view.deadline,
        "opened_at": view.opened_at,
        "closed_at": view.closed_at,
        "case_count": view.case_count,
        "open_case_count": view.open_case_count,
        "last_progress_at": last.at if last else None,
        "view": view.model_dump(mode="json"),
        "revision": view.revision,
        "updated_at": at,
    }
    statement = insert(rectifications).values(**row)
    result = await connection.execute(
        statement.on_conflict_do_update(
            index_elements=["rectification_id"],
            set_={name: statement.excluded[name] for name in row if name != "rectification_id"},
            where=rectifications.c.revision < statement.excluded.revision,
        )
    )
    return bool(result.rowcount)
