"""The special report's stalled items (专报): open cases past a deadline, or with no action by the handling unit
for N working days; each with the last thing the unit did and the measure it last proposed.

Read from the case records as they stand when the report is made (the cases open now are the ones to act on).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, func, or_, select, true
from sqlalchemy.ext.asyncio import AsyncConnection

from services.assessment.reports.working_days import working_days_since
from services.contracts.assessment_reports import StalledItem, StalledReason
from services.contracts.case_view import TrackedDeadline
from services.contracts.cases import CaseStatus
from services.engines.records_db.tables import case_events, case_records

# The cases a unit owes an action: not waiting for triage, the centre's arbitration, or the caller's rating.
WAITING_ON_A_UNIT = (CaseStatus.ASSIGNED, CaseStatus.ACCEPTED, CaseStatus.REWORK)
OPEN = (*WAITING_ON_A_UNIT, CaseStatus.ARBITRATION)
MAX_ITEMS = 1000
_record = case_records.c
_event = case_events.c


def _last_action(cutoff: datetime) -> Any:
    """The handling unit's last event on the case before the cut-off (its last progress, feedback, sign-for...)."""
    return (
        select(_event.at, _event.kind, _event.detail)
        .where(_event.case_id == _record.case_id, _event.actor == _record.handling_unit, _event.at < cutoff)
        .order_by(_event.sequence.desc())
        .limit(1)
        .lateral("last_action")
    )


def _last_plan(cutoff: datetime) -> Any:
    """The next step the unit gave in its last progress report (or the plan of its last escalation request)."""
    plan = _event.fields["plan"].astext
    return (
        select(plan.label("plan"))
        .where(
            _event.case_id == _record.case_id,
            _event.kind.in_(("progress", "escalation_requested")),
            plan.is_not(None),
            plan != "",
            _event.at < cutoff,
        )
        .order_by(_event.sequence.desc())
        .limit(1)
        .lateral("last_plan")
    )


def stalled_query(cutoff: datetime, no_progress_working_days: int) -> Select[Any]:
    """Candidates: every open overdue case, and open cases quiet for at least the calendar days N working days
    take at the least (`stalled_items` then counts the working days and puts them in order)."""
    quiet_since = cutoff - timedelta(days=no_progress_working_days)
    action, plan = _last_action(cutoff), _last_plan(cutoff)
    last_at = func.coalesce(action.c.at, _record.received_at)
    return (
        select(
            _record.case_id,
            _record.title,
            _record.catalog_item,
            _record.handling_unit,
            _record.township,
            _record.received_at,
            _record.status,
            _record.overdue,
            _record.escalation_level,
            _record.view["tracked_deadlines"].label("clocks"),
            action.c.at.label("last_at"),
            action.c.detail.label("last_detail"),
            plan.c.plan,
        )
        .select_from(case_records)
        .outerjoin(action, true())
        .outerjoin(plan, true())
        .where(
            _record.closed_at.is_(None),
            _record.status.in_([status.value for status in OPEN]),
            _record.received_at < cutoff,
            or_(
                _record.overdue,
                and_(
                    _record.status.in_([status.value for status in WAITING_ON_A_UNIT]),
                    _record.received_at < quiet_since,
                    last_at < quiet_since,
                ),
            ),
        )
    )


def breached_clock(clocks: Sequence[dict[str, Any]] | None) -> TrackedDeadline | None:
    """The open deadline that passed first."""
    breached = [
        TrackedDeadline.model_validate(clock)
        for clock in clocks or ()
        if clock.get("breached_at") and not clock.get("met_at")
    ]
    return min(breached, key=lambda clock: clock.due, default=None)


def stalled_item(row: Any, cutoff: datetime, no_progress_working_days: int) -> StalledItem | None:
    """The row as a stalled item, or None when it is not stalled after all (quiet fewer working days than N)."""
    last_at = row.last_at or row.received_at
    common = {
        "case_id": row.case_id,
        "title": row.title,
        "catalog_item": row.catalog_item,
        "handling_unit": row.handling_unit,
        "township": row.township,
        "received_at": row.received_at,
        "last_progress_at": row.last_at,
        "last_progress": row.last_detail or "",
        "proposed_measure": row.plan or "",
        "escalation_level": row.escalation_level,
    }
    clock = breached_clock(row.clocks) if row.overdue else None
    if clock is not None:
        return StalledItem(
            **common,
            reason=StalledReason.OVERDUE,
            deadline_kind=clock.kind.value,
            due=clock.due,
            stalled_days=working_days_since(clock.due, cutoff),
        )
    quiet = working_days_since(last_at, cutoff)
    if row.status in {s.value for s in WAITING_ON_A_UNIT} and quiet >= no_progress_working_days:
        return StalledItem(**common, reason=StalledReason.NO_PROGRESS, stalled_days=quiet)
    return None


async def stalled_items(
    connection: AsyncConnection, *, cutoff: datetime, no_progress_working_days: int, limit: int = MAX_ITEMS
) -> tuple[list[StalledItem], int]:
    """The stalled items, longest stalled first (then the highest escalation), at most `limit`; and how many in all."""
    rows = (await connection.execute(stalled_query(cutoff, no_progress_working_days))).all()
    items = [item for row in rows if (item := stalled_item(row, cutoff, no_progress_working_days)) is not None]
    items.sort(key=lambda item: (-item.stalled_days, -item.escalation_level, item.case_id))
    return items[:limit], len(items)
