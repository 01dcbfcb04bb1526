"""Units named in the bulletin and ordered to rectify (责令整改): those that did not sign for cases in time
(不响应) and those that missed feedback or resolution deadlines (迟响应), over the cases that reached them in the
period, as the unit case facts record them up to the cut-off."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.elements import Label

from services.contracts.assessment import FactRole
from services.contracts.assessment_periods import Period
from services.contracts.assessment_reports import UnitNotice, UnitNoticeKind
from services.engines.records_db.tables import unit_case_facts

CASES_LISTED = 20
_fact = unit_case_facts.c


async def units_named(
    connection: AsyncConnection, *, period: Period, cutoff: datetime, names: Mapping[str, str]
) -> list[UnitNotice]:
    """Non-responding units first, then late ones; in each, the most cases first."""
    kinds = {
        UnitNoticeKind.NON_RESPONDING: _fact.sign_for_on_time == false(),
        UnitNoticeKind.LATE: or_(_fact.feedback_on_time == false(), _fact.resolution_on_time == false()),
    }
    columns: list[Label[Any]] = []
    for kind, condition in kinds.items():
        columns.append(func.count().filter(condition).label(f"{kind.value}_count"))
        cases = func.array_agg(_fact.case_id).filter(condition)
        columns.append(cases.label(f"{kind.value}_cases"))
    query = (
        select(_fact.unit, *columns)
        .where(
            _fact.role == FactRole.HANDLING.value,
            _fact.received_at >= period.start,
            _fact.received_at < min(period.end, cutoff),
            or_(*kinds.values()),
        )
        .group_by(_fact.unit)
    )
    notices: list[UnitNotice] = []
    rows = (await connection.execute(query)).all()
    for kind in kinds:
        named = [
            UnitNotice(
                unit=row.unit,
                name=names.get(row.unit, row.unit),
                kind=kind,
                count=getattr(row, f"{kind.value}_count"),
                case_ids=sorted(getattr(row, f"{kind.value}_cases") or [])[:CASES_LISTED],
            )
            for row in rows
            if getattr(row, f"{kind.value}_count")
        ]
        notices += sorted(named, key=lambda notice: (-notice.count, notice.unit))
    return notices
