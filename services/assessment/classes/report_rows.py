"""What a bulletin says of classes of cases and special rectifications in its period, as they stood at its end.

Both read the tables as of the period's end, so a report re-run for a past period says the same: a class counts the
cases it had received by then; a rectification is open or closed, with the last progress reported, as it was then.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.contracts.assessment_periods import Period
from services.contracts.assessment_reports import CaseClassSummary, RectificationSummary
from services.contracts.rectifications import RectificationStatus, RectificationView
from services.engines.records_db.tables import case_classes, case_records, rectifications


async def classes_for_report(connection: AsyncConnection, period: Period) -> list[CaseClassSummary]:
    """The classes detected in the period, oldest first, each with the cases it had received by the period's end."""
    found = (
        await connection.execute(
            select(case_classes)
            .where(case_classes.c.detected_at >= period.start, case_classes.c.detected_at < period.end)
            .order_by(case_classes.c.detected_at, case_classes.c.class_id)
        )
    ).all()
    if not found:
        return []
    received = await _received_times(connection, {case_id for row in found for case_id in row.case_ids})
    opened = await _opened_by(connection, {row.rectification_id for row in found if row.rectification_id}, period)
    summaries = []
    for row in found:
        in_period = sorted(
            (at, case_id) for case_id in row.case_ids if (at := received.get(case_id)) is not None and at < period.end
        )
        if not in_period:
            continue
        summaries.append(
            CaseClassSummary(
                class_id=row.class_id,
                kind=row.kind,
                catalog_item=row.catalog_item,
                township=row.township,
                label=row.label,
                case_count=len(in_period),
                first_received_at=in_period[0][0],
                last_received_at=in_period[-1][0],
                detected_at=row.detected_at,
                case_ids=[case_id for _at, case_id in in_period],
                rectification_id=row.rectification_id if row.rectification_id in opened else None,
            )
        )
    return summaries


async def rectifications_for_report(connection: AsyncConnection, period: Period) -> list[RectificationSummary]:
    """The rectifications open at some time in the period, oldest first, as they stood at its end."""
    rows = await connection.execute(
        select(rectifications.c.view)
        .where(
            rectifications.c.opened_at < period.end,
            or_(rectifications.c.closed_at.is_(None), rectifications.c.closed_at >= period.start),
        )
        .order_by(rectifications.c.opened_at, rectifications.c.rectification_id)
    )
    return [as_of(RectificationView.model_validate(view), period) for (view,) in rows]


def as_of(view: RectificationView, period: Period) -> RectificationSummary:
    """The rectification as it stood at the period's end: closed only if it had closed by then."""
    closed = view.closed_at is not None and view.closed_at < period.end
    progress = [entry for entry in view.progress if entry.at < period.end]
    cases = [case for case in view.cases if case.linked_at < period.end]
    return RectificationSummary(
        rectification_id=view.rectification_id,
        title=view.title,
        class_id=view.class_id,
        lead_unit=view.lead_unit,
        participants=list(view.participants),
        status=(RectificationStatus.CLOSED if closed else RectificationStatus.OPEN).value,
        deadline=view.deadline,
        opened_at=view.opened_at,
        closed_at=view.closed_at if closed else None,
        result=view.result if closed else "",
        case_count=len(cases),
        # Whether a case was closed then is not kept: its state as last recorded.
        open_case_count=sum(1 for case in cases if not case.closed),
        last_progress=progress[-1].text if progress else "",
    )


async def _received_times(connection: AsyncConnection, case_ids: set[str]) -> dict[str, datetime | None]:
    rows = await connection.execute(
        select(case_records.c.case_id, case_records.c.received_at).where(case_records.c.case_id.in_(list(case_ids)))
    )
    return {row.case_id: row.received_at for row in rows}


async def _opened_by(connection: AsyncConnection, ids: set[str], period: Period) -> set[str]:
    """Those of the rectifications that had opened by the period's end."""
    if not ids:
        return set()
    rows = await connection.scalars(
        select(rectifications.c.rectification_id).where(
            and_(rectifications.c.rectification_id.in_(list(ids)), rectifications.c.opened_at < period.end)
        )
    )
    return set(rows)
