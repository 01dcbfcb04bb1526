"""Which alarms a case handles when its worker gets to it (pure): reminders of missed deadlines are dropped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.contracts.case_policy import Window
from services.contracts.case_view import DeadlineKind
from services.contracts.cases import CaseStatus
from services.workflows.calendar.deadline_clock import Alarm, AlarmKind, DeadlineClock
from services.workflows.case.case_alarms import due_alarms, next_alarm, pending_alarms
from services.workflows.case.case_state import CaseState

START = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
DUE = START + timedelta(hours=24)
REMINDERS = [START + timedelta(hours=18), START + timedelta(hours=23)]


def _case(*clocks: DeadlineClock) -> CaseState:
    return CaseState(
        case_id="c", status=CaseStatus.ASSIGNED, channel="12345", external_id="T", tracked_deadlines=list(clocks)
    )


def _clock(kind: DeadlineKind, due: datetime = DUE, *, reminders_sent: int = 0) -> DeadlineClock:
    return DeadlineClock(
        kind=kind,
        started_at=START,
        due=due,
        window=Window(hours=24),
        reminders=REMINDERS if due == DUE else [due - timedelta(hours=6)],
        reminders_sent=reminders_sent,
    )


@pytest.mark.parametrize(
    ("now", "clocks", "expected"),
    [
        pytest.param(START + timedelta(hours=1), [_clock(DeadlineKind.SIGN_FOR)], [], id="nothing due yet"),
        pytest.param(
            REMINDERS[0], [_clock(DeadlineKind.SIGN_FOR)], [(AlarmKind.REMINDER, "sign_for")], id="a reminder on time"
        ),
        pytest.param(
            DUE + timedelta(hours=2),
            [_clock(DeadlineKind.SIGN_FOR)],
            [(AlarmKind.BREACH, "sign_for")],
            id="back after the deadline: the breach alone",
        ),
        pytest.param(
            DUE + timedelta(hours=2),
            [_clock(DeadlineKind.SIGN_FOR, reminders_sent=1)],
            [(AlarmKind.BREACH, "sign_for")],
            id="the last reminder missed too",
        ),
        pytest.param(
            DUE + timedelta(hours=2),
            [_clock(DeadlineKind.SIGN_FOR), _clock(DeadlineKind.FEEDBACK, due=DUE + timedelta(hours=5))],
            [(AlarmKind.REMINDER, "feedback"), (AlarmKind.BREACH, "sign_for")],
            id="another deadline still ahead keeps its late reminder",
        ),
    ],
)
def test_due_alarms(now: datetime, clocks: list[DeadlineClock], expected: list[tuple[AlarmKind, str]]) -> None:
    alarms = due_alarms(_case(*clocks), now)
    assert sorted((a.kind, a.deadline.value if a.deadline else "") for a in alarms) == sorted(expected)


def _paused(clock: DeadlineClock, **bookkeeping: object) -> DeadlineClock:
    return clock.model_copy(update={"paused_at": START + timedelta(hours=2), **bookkeeping})


BREACHED = {"breached_at": DUE, "chase_up_at": DUE + timedelta(hours=9), "next_escalation_at": DUE + timedelta(days=2)}


@pytest.mark.parametrize(
    ("clock", "expected"),
    [
        pytest.param(_clock(DeadlineKind.FEEDBACK), [], id="no reminder, no breach"),
        pytest.param(_paused(_clock(DeadlineKind.FEEDBACK), **BREACHED), [], id="no chase-up, no escalation step"),
        pytest.param(
            _paused(_clock(DeadlineKind.FEEDBACK), chase_up_sent=True, **BREACHED), [], id="no escalation step"
        ),
    ],
)
def test_a_paused_deadline_raises_no_alarm(clock: DeadlineClock, expected: list[Alarm]) -> None:
    paused = clock if clock.paused_at is not None else _paused(clock)
    long_after = DUE + timedelta(days=30)
    assert pending_alarms(_case(paused)) == expected
    assert due_alarms(_case(paused), long_after) == expected
    assert next_alarm(_case(paused)) is None


def test_a_paused_deadline_does_not_silence_the_others() -> None:
    arbitration = _clock(DeadlineKind.ARBITRATION, due=DUE + timedelta(hours=1))
    alarms = pending_alarms(_case(_paused(_clock(DeadlineKind.RESOLUTION)), arbitration))
    assert {(a.kind, a.deadline) for a in alarms} == {
        (AlarmKind.REMINDER, DeadlineKind.ARBITRATION),
        (AlarmKind.BREACH, DeadlineKind.ARBITRATION),
    }


def test_a_resumed_deadline_alarms_again() -> None:
    resumed = _paused(_clock(DeadlineKind.FEEDBACK)).model_copy(update={"paused_at": None})
    assert [(a.kind, a.deadline) for a in pending_alarms(_case(resumed))] == [
        (AlarmKind.REMINDER, DeadlineKind.FEEDBACK),
        (AlarmKind.BREACH, DeadlineKind.FEEDBACK),
    ]
