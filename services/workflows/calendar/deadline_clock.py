"""Every workflow's one deadline clock: a deadline, what its workflow has done about it, and the alarms it raises
(pure). Cases and triage keep several; a joint task and a catalog change keep one each.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum

from pydantic import Field

from services.contracts.case_policy import Window
from services.contracts.case_view import DeadlineKind, TrackedDeadline
from services.workflows.calendar.deadline_pauses import Pause


class DeadlineClock(TrackedDeadline):
    """A deadline and what the workflow has done about it."""

    window: Window = Field(description="The policy window it was counted with.")
    reminders: list[datetime] = Field(default_factory=list)
    reminders_sent: int = 0
    chase_up_sent: bool = False
    next_escalation_at: datetime | None = None
    pauses: list[Pause] = Field(default_factory=list, description="Spans it stood still, which moved its due time.")


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


def clock_alarms(clock: DeadlineClock) -> list[Alarm]:
    """What one clock still has to ring for: its next reminder and its breach; once breached, the chase-up and the
    next escalation step (where its workflow set them)."""
    # A paused clock raises nothing: the case is out of the unit's hands (its alarms are counted again on resume).
    if not clock.open or clock.paused_at is not None:
        return []
    if clock.breached_at is None:
        alarms = [Alarm(clock.due, AlarmKind.BREACH, clock.kind)]
        if clock.reminders_sent < len(clock.reminders):
            alarms.append(Alarm(clock.reminders[clock.reminders_sent], AlarmKind.REMINDER, clock.kind))
        return alarms
    alarms = []
    if clock.chase_up_at is not None and not clock.chase_up_sent:
        alarms.append(Alarm(clock.chase_up_at, AlarmKind.CHASE_UP, clock.kind))
    if clock.next_escalation_at is not None:
        alarms.append(Alarm(clock.next_escalation_at, AlarmKind.ESCALATION_STEP, clock.kind))
    return alarms


def pending(clocks: Iterable[DeadlineClock], *others: Alarm) -> list[Alarm]:
    """Every alarm of these clocks (and any other the workflow keeps), earliest first."""
    alarms = [alarm for clock in clocks for alarm in clock_alarms(clock)] + list(others)
    return sorted(alarms, key=lambda a: (a.at, a.kind))


def due_now(alarms: list[Alarm], now: datetime) -> list[Alarm]:
    """The alarms due at or before `now`, in the order they are handled.

    A reminder of a deadline that is itself due (the worker was away through both) is dropped: the unit hears of
    the breach, not of a deadline it has already missed.
    """
    due = [alarm for alarm in alarms if alarm.at <= now]
    missed = {alarm.deadline for alarm in due if alarm.kind is AlarmKind.BREACH}
    return [alarm for alarm in due if not (alarm.kind is AlarmKind.REMINDER and alarm.deadline in missed)]
