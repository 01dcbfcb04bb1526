"""What a case waits for next: its deadline clocks' reminders, breaches, chase-ups and escalation steps, and the
rating's end (pure)."""

from __future__ import annotations

from datetime import datetime

from services.contracts.cases import CaseStatus
from services.workflows.calendar.deadline_clock import Alarm, AlarmKind, due_now, pending
from services.workflows.case.case_state import CaseState


def pending_alarms(view: CaseState) -> list[Alarm]:
    """Every alarm the case still has, earliest first."""
    rating = []
    if view.status is CaseStatus.RESOLVED and view.rating_due is not None:
        rating.append(Alarm(view.rating_due, AlarmKind.RATING_TIMEOUT))
    return pending(view.tracked_deadlines, *rating)


def next_alarm(view: CaseState) -> Alarm | None:
    alarms = pending_alarms(view)
    return alarms[0] if alarms else None


def due_alarms(view: CaseState, now: datetime) -> list[Alarm]:
    """The alarms due at or before `now`, in the order they are handled (`due_now`)."""
    return due_now(pending_alarms(view), now)


def is_overdue(view: CaseState) -> bool:
    """A deadline has passed and what it asked for is still not done."""
    return any(t.open and t.breached_at is not None for t in view.tracked_deadlines)
