"""What a case waits for next: reminders, breaches, chase-ups, escalation steps, the rating's end (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum

from services.contracts.case_view import DeadlineKind
from services.contracts.cases import CaseStatus
from services.workflows.case.case_state import CaseState, DeadlineClock


class AlarmKind(IntEnum):
    """In the order alarms due at the same instant are handled."""

    REMINDER = 1
    BREACH = 2
    CHASE_UP = 3
    ESCALATION_STEP = 4
    RATING_TIMEOUT = 5


@dataclass(frozen=True)
class Alarm:
    at: datetime
    kind: AlarmKind
    deadline: DeadlineKind | None = None


def pending_alarms(view: CaseState) -> list[Alarm]:
    """Every alarm the case still has, earliest first."""
    alarms: list[Alarm] = []
    for tracked in view.tracked_deadlines:
        alarms += _deadline_alarms(tracked)
    if view.status is CaseStatus.RESOLVED and view.rating_due is not None:
        alarms.append(Alarm(view.rating_due, AlarmKind.RATING_TIMEOUT))
    return sorted(alarms, key=lambda a: (a.at, a.kind))


def next_alarm(view: CaseState) -> Alarm | None:
    alarms = pending_alarms(view)
    return alarms[0] if alarms else None


def due_alarms(view: CaseState, now: datetime) -> list[Alarm]:
    """The alarms due at or before `now`, in the order they are handled.

    A reminder of a deadline that is itself due (the worker was away through both) is dropped: the unit hears of
    the breach, not of a deadline it has already missed.
    """
    due = [alarm for alarm in pending_alarms(view) if alarm.at <= now]
    missed = {alarm.deadline for alarm in due if alarm.kind is AlarmKind.BREACH}
    return [alarm for alarm in due if not (alarm.kind is AlarmKind.REMINDER and alarm.deadline in missed)]


def _deadline_alarms(tracked: DeadlineClock) -> list[Alarm]:
    # A paused clock raises nothing: the case is out of the unit's hands (its alarms are counted again on resume).
    if not tracked.open or tracked.paused_at is not None:
        return []
    if tracked.breached_at is None:
        alarms = [Alarm(tracked.due, AlarmKind.BREACH, tracked.kind)]
        if tracked.reminders_sent < len(tracked.reminders):
            alarms.append(Alarm(tracked.reminders[tracked.reminders_sent], AlarmKind.REMINDER, tracked.kind))
        return alarms
    alarms = []
    if tracked.chase_up_at is not None and not tracked.chase_up_sent:
        alarms.append(Alarm(tracked.chase_up_at, AlarmKind.CHASE_UP, tracked.kind))
    if tracked.next_escalation_at is not None:
        alarms.append(Alarm(tracked.next_escalation_at, AlarmKind.ESCALATION_STEP, tracked.kind))
    return alarms


def is_overdue(view: CaseState) -> bool:
    """A deadline has passed and what it asked for is still not done."""
    return any(t.open and t.breached_at is not None for t in view.tracked_deadlines)
