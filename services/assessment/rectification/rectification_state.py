"""A special rectification's state, its rules of time and its public view (pure: the workflow and its activities
use it, tests check it on its own).

The workflow keeps `RectificationState`, bookkeeping included (reminders sent, the deadline noticed, when to look
for new cases next, the notices' sequence); `project` makes the `RectificationView` the API, the table and the
bulletin read. Time: progress is due a cadence (a week) after the last report, or after the opening; a reminder
that finds none moves the due time on by a cadence; the deadline is noticed once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, Field

from services.contracts.case_classes import RectificationCadence
from services.contracts.rectifications import (
    LinkedCase,
    ProgressEntry,
    RectificationStart,
    RectificationStatus,
    RectificationView,
)


class RectificationState(BaseModel):
    """Everything the workflow knows; carried whole into a continued run."""

    rectification_id: str
    class_id: str | None
    title: str
    goal: str = ""
    lead_unit: str
    participants: list[str]
    opened_by: str
    opened_at: datetime
    deadline: datetime
    catalog_item: str | None = None
    township: str | None = None
    cadence: RectificationCadence = RectificationCadence()
    status: RectificationStatus = RectificationStatus.OPEN
    cases: list[LinkedCase] = Field(default_factory=list)
    # The class's cases already closed when it opened: not linked, then or later.
    left_out: list[str] = Field(default_factory=list)
    progress: list[ProgressEntry] = Field(default_factory=list)
    closed_at: datetime | None = None
    closed_by: str | None = None
    result: str = ""
    next_progress_due: datetime
    reminders_sent: int = 0
    deadline_noticed: bool = False
    next_case_check: datetime
    notices_sent: int = 0
    revision: int = 0

    @property
    def units(self) -> list[str]:
        """The lead unit, then the participants: who reports progress and hears of the rectification."""
        return [self.lead_unit, *self.participants]

    def open_case_count(self) -> int:
        return sum(1 for case in self.cases if not case.closed)


class RectificationContinuation(BaseModel):
    """Where the previous run had got to."""

    state: RectificationState
    runs: int = 1


class RectificationInput(RectificationStart):
    """`SpecialRectification`'s input: the start as the API sends it and, for a continued run, the continuation.
    (Defined outside the workflow's module: the sandbox re-imports that one, and the state must be one class.)"""

    continued: RectificationContinuation | None = None


class Alarm(StrEnum):
    PROGRESS_DUE = "progress_due"  # a cadence without progress: remind the lead unit, tell the centre
    DEADLINE = "deadline"  # the deadline passed while open: tell the centre (once)
    CHECK_CASES = "check_cases"  # look for cases that joined the class


def opening_state(
    start: RectificationStart,
    *,
    opened_at: datetime,
    class_cases: dict[str, bool],
    cadence: RectificationCadence,
    catalog_item: str | None,
    township: str | None,
) -> RectificationState:
    """A rectification just opened, with its class's open cases (`class_cases`: case id → closed)."""
    request = start.request
    return RectificationState(
        rectification_id=start.rectification_id,
        class_id=request.class_id,
        title=request.title,
        goal=request.goal,
        lead_unit=request.lead_unit,
        participants=list(request.participants),
        opened_by=start.opened_by,
        opened_at=opened_at,
        deadline=request.deadline,
        catalog_item=catalog_item,
        township=township,
        cadence=cadence,
        cases=[
            LinkedCase(case_id=case_id, linked_at=opened_at)
            for case_id, closed in sorted(class_cases.items())
            if not closed
        ],
        left_out=sorted(case_id for case_id, closed in class_cases.items() if closed),
        next_progress_due=opened_at + progress_interval(cadence),
        next_case_check=opened_at + check_interval(cadence),
    )


def progress_interval(cadence: RectificationCadence) -> timedelta:
    """How long after the last report (or the opening) the next is due."""
    return timedelta(days=cadence.progress_every_days)


def check_interval(cadence: RectificationCadence) -> timedelta:
    """How often the class is looked at for cases that joined it."""
    return timedelta(hours=cadence.check_cases_every_hours)


def due_alarms(state: RectificationState, now: datetime) -> list[Alarm]:
    """The alarms due at `now`, in the order they are handled."""
    if state.status is not RectificationStatus.OPEN:
        return []
    alarms = []
    if now >= state.next_case_check:
        alarms.append(Alarm.CHECK_CASES)
    if now >= state.deadline and not state.deadline_noticed:
        alarms.append(Alarm.DEADLINE)
    if now >= state.next_progress_due:
        alarms.append(Alarm.PROGRESS_DUE)
    return alarms


def next_alarm_at(state: RectificationState) -> datetime:
    """When the open rectification next has something to do (absent progress or a closing)."""
    times = [state.next_progress_due, state.next_case_check]
    if not state.deadline_noticed:
        times.append(state.deadline)
    return min(times)


def report_progress(state: RectificationState, entry: ProgressEntry) -> None:
    """Record a report; the next is due a cadence after it."""
    state.progress.append(entry)
    state.next_progress_due = entry.at + progress_interval(state.cadence)


def remind(state: RectificationState, now: datetime) -> datetime:
    """A reminder goes for the progress due; the next is due a cadence later (past `now`). The due time missed."""
    missed = state.next_progress_due
    state.reminders_sent += 1
    while state.next_progress_due <= now:
        state.next_progress_due += progress_interval(state.cadence)
    return missed


def link_cases(state: RectificationState, current: dict[str, bool], now: datetime) -> list[str]:
    """Bring the cases up to date with the class's (`case id → closed`): cases that joined it since it opened are
    linked, and every linked case's closed flag follows its record. The cases linked now."""
    known = {case.case_id for case in state.cases} | set(state.left_out)
    for case in state.cases:
        case.closed = current.get(case.case_id, case.closed)
    joined = [case_id for case_id in sorted(current) if case_id not in known]
    state.cases += [LinkedCase(case_id=case_id, linked_at=now, closed=current[case_id]) for case_id in joined]
    state.next_case_check = now + check_interval(state.cadence)
    return joined


def close(state: RectificationState, *, unit: str, result: str, now: datetime) -> None:
    """Close the rectification with its result."""
    state.status = RectificationStatus.CLOSED
    state.closed_at = now
    state.closed_by = unit
    state.result = result


def project(state: RectificationState, now: datetime) -> RectificationView:
    """The public view: no bookkeeping."""
    is_open = state.status is RectificationStatus.OPEN
    return RectificationView(
        rectification_id=state.rectification_id,
        class_id=state.class_id,
        title=state.title,
        goal=state.goal,
        lead_unit=state.lead_unit,
        participants=list(state.participants),
        status=state.status,
        deadline=state.deadline,
        overdue=is_open and now >= state.deadline,
        opened_at=state.opened_at,
        opened_by=state.opened_by,
        closed_at=state.closed_at,
        closed_by=state.closed_by,
        result=state.result,
        next_progress_due=state.next_progress_due if is_open else None,
        cases=[case.model_copy() for case in state.cases],
        case_count=len(state.cases),
        open_case_count=state.open_case_count(),
        progress=[entry.model_copy() for entry in state.progress],
        revision=state.revision,
    )
