"""A deadline whose clock stood still: working time between two moments, working time added to a moment, and a due
time moved across a pause (working-day windows by the working time left, hours windows by plain duration)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.contracts.case_policy import Window, load_policy
from services.workflows.calendar.deadline_activities import DeadlineActivities, DeadlineRequest
from services.workflows.calendar.deadline_pauses import Pause, due_after_pauses
from services.workflows.calendar.working_calendar import CHINA_TZ, WorkingCalendar, WorkingDeadline

HOUR = timedelta(hours=1)
SECOND = timedelta(seconds=1)


def local(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    """A China wall-clock time as the UTC instant the workflows work with."""
    return datetime(year, month, day, hour, minute, second, tzinfo=CHINA_TZ).astimezone(UTC)


def end_of(year: int, month: int, day: int) -> datetime:
    return local(year, month, day, 23, 59, 59)


@pytest.fixture(scope="module")
def calendar() -> WorkingCalendar:
    return WorkingCalendar({})


# 2026-11-20 is a Friday. 2025: Oct 1-8 off (National Day), Sat Oct 11 a make-up working day.
@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        pytest.param(local(2026, 11, 23, 10), local(2026, 11, 23, 15), 5 * HOUR, id="within a working day"),
        pytest.param(local(2026, 11, 20, 15), local(2026, 11, 23, 9), 18 * HOUR, id="over a weekend"),
        pytest.param(local(2025, 9, 30, 15), local(2025, 10, 9, 10), 19 * HOUR, id="over the national day break"),
        pytest.param(local(2025, 10, 10, 12), local(2025, 10, 12, 12), 36 * HOUR, id="a make-up saturday counts"),
        pytest.param(local(2026, 11, 21, 10), local(2026, 11, 22, 18), timedelta(0), id="a weekend alone is none"),
        pytest.param(local(2026, 11, 23, 15), local(2026, 11, 23, 10), timedelta(0), id="end before start"),
        pytest.param(
            local(2026, 11, 23, 0), end_of(2026, 11, 23), 24 * HOUR - SECOND, id="a whole day up to its deadline"
        ),
    ],
)
def test_working_time_between(calendar: WorkingCalendar, start: datetime, end: datetime, expected: timedelta) -> None:
    assert calendar.working_time_between(start, end) == expected


@pytest.mark.parametrize(
    ("start", "amount", "expected"),
    [
        pytest.param(local(2026, 11, 23, 10), 5 * HOUR, local(2026, 11, 23, 15), id="within a working day"),
        pytest.param(local(2026, 11, 20, 15), 18 * HOUR, local(2026, 11, 23, 9), id="over a weekend"),
        pytest.param(local(2026, 11, 21, 10), 2 * HOUR, local(2026, 11, 23, 2), id="from a day off"),
        pytest.param(local(2025, 9, 30, 15), 19 * HOUR, local(2025, 10, 9, 10), id="over the national day break"),
        pytest.param(local(2025, 10, 10, 12), 30 * HOUR, local(2025, 10, 11, 18), id="onto a make-up saturday"),
        pytest.param(local(2026, 11, 21, 10), timedelta(0), local(2026, 11, 21, 10), id="nothing to add"),
        pytest.param(
            local(2026, 11, 25, 0), 24 * HOUR - SECOND, end_of(2026, 11, 25), id="a whole day ends at its deadline"
        ),
    ],
)
def test_add_working_time(calendar: WorkingCalendar, start: datetime, amount: timedelta, expected: datetime) -> None:
    added = calendar.add_working_time(start, amount)
    assert added == WorkingDeadline(at=expected)


def test_working_time_added_over_a_year_without_a_schedule_is_provisional(calendar: WorkingCalendar) -> None:
    added = calendar.add_working_time(local(2026, 12, 31, 12), 20 * HOUR)
    assert (added.at, added.provisional, added.provisional_years) == (local(2027, 1, 1, 8), True, [2027])


def test_no_negative_working_time(calendar: WorkingCalendar) -> None:
    with pytest.raises(ValueError, match="negative"):
        calendar.add_working_time(local(2026, 11, 23, 10), -HOUR)


# A case received on Monday 2026-11-23 has its 3-working-day feedback deadline at the end of Thursday 11-26.
FEEDBACK_DUE = WorkingDeadline(at=end_of(2026, 11, 26))


@pytest.mark.parametrize(
    ("due", "pauses", "working_days", "expected"),
    [
        pytest.param(
            FEEDBACK_DUE,
            [Pause(paused_at=local(2026, 11, 24, 15), resumed_at=local(2026, 11, 26, 10))],
            True,
            # 9 h of Tuesday, Wednesday and Thursday were left (56:59:59); from Thursday 10:00 that is 14 h of
            # Thursday, 24 h of Friday, then 18:59:59 of Monday.
            local(2026, 11, 30, 18, 59, 59),
            id="working days: the working time left, from the resume",
        ),
        pytest.param(
            FEEDBACK_DUE,
            [Pause(paused_at=local(2026, 11, 24, 0), resumed_at=local(2026, 11, 27, 0))],
            True,
            end_of(2026, 12, 1),
            id="working days: paused and resumed at midnight keeps the end of the day",
        ),
        pytest.param(
            FEEDBACK_DUE,
            [Pause(paused_at=local(2026, 11, 24, 15), resumed_at=local(2026, 11, 28, 11))],
            True,
            local(2026, 12, 2, 8, 59, 59),
            id="working days: resumed on a saturday counts from monday",
        ),
        pytest.param(
            WorkingDeadline(at=end_of(2025, 10, 10)),
            [Pause(paused_at=local(2025, 9, 30, 15), resumed_at=local(2025, 10, 9, 9))],
            True,
            # 9 h of Sep 30 and two whole days were left: Oct 9 from 09:00 (15 h), Oct 10 (24 h), 17:59:59 of the
            # make-up Saturday. The days of the break were not the unit's.
            local(2025, 10, 11, 17, 59, 59),
            id="working days: over the national day break",
        ),
        pytest.param(
            WorkingDeadline(at=local(2026, 11, 24, 10)),
            [Pause(paused_at=local(2026, 11, 23, 12), resumed_at=local(2026, 11, 23, 20))],
            False,
            local(2026, 11, 24, 18),
            id="hours: plain duration",
        ),
        pytest.param(
            WorkingDeadline(at=local(2026, 11, 21, 10)),
            [Pause(paused_at=local(2026, 11, 20, 22), resumed_at=local(2026, 11, 23, 9))],
            False,
            local(2026, 11, 23, 21),
            id="hours: around the clock, weekends too",
        ),
        pytest.param(
            FEEDBACK_DUE,
            [Pause(paused_at=local(2026, 11, 27, 10), resumed_at=local(2026, 11, 30, 10))],
            True,
            FEEDBACK_DUE.at,
            id="a due time already passed at the pause stays",
        ),
        pytest.param(
            FEEDBACK_DUE,
            [
                Pause(paused_at=local(2026, 11, 24, 15), resumed_at=local(2026, 11, 24, 17)),
                Pause(paused_at=local(2026, 11, 25, 9), resumed_at=local(2026, 11, 25, 11)),
            ],
            True,
            local(2026, 11, 27, 3, 59, 59),
            id="two pauses, one after the other",
        ),
        pytest.param(FEEDBACK_DUE, [], True, FEEDBACK_DUE.at, id="no pause"),
    ],
)
def test_due_after_pauses(
    calendar: WorkingCalendar, due: WorkingDeadline, pauses: list[Pause], working_days: bool, expected: datetime
) -> None:
    moved = due_after_pauses(calendar, due, pauses, working_days=working_days)
    assert moved.at == expected
    assert not moved.provisional


def test_a_due_time_moved_into_a_year_without_a_schedule_is_provisional(calendar: WorkingCalendar) -> None:
    due = WorkingDeadline(at=end_of(2026, 12, 29))
    pause = Pause(paused_at=local(2026, 12, 29, 0), resumed_at=local(2026, 12, 31, 0))
    moved = due_after_pauses(calendar, due, [pause], working_days=True)
    assert (moved.at, moved.provisional, moved.provisional_years) == (end_of(2026, 12, 31), False, [])
    later = Pause(paused_at=local(2026, 12, 31, 0), resumed_at=local(2027, 1, 4, 0))
    moved = due_after_pauses(calendar, moved, [later], working_days=True)
    assert (moved.at, moved.provisional, moved.provisional_years) == (end_of(2027, 1, 4), True, [2027])


async def test_the_activity_counts_a_window_across_its_pauses_then_its_extension(calendar: WorkingCalendar) -> None:
    policy = load_policy()
    activities = DeadlineActivities(calendar=lambda: calendar, policy=lambda: policy)
    received, paused, resumed = local(2026, 11, 23, 10), local(2026, 11, 24, 15), local(2026, 11, 26, 10)
    request = DeadlineRequest(
        start=received, window=Window(working_days=3), pauses=[Pause(paused_at=paused, resumed_at=resumed)]
    )

    counted = await activities.compute_deadline(request)
    extended = await activities.compute_deadline(request.model_copy(update={"extra_working_days": 2}))

    assert counted.due == local(2026, 11, 30, 18, 59, 59)
    # The reminders are counted over what is left after the resume: at 75 % of it, and on the due day's morning.
    assert counted.reminders == [resumed + (counted.due - resumed) * 0.75, local(2026, 11, 30, 9)]
    # An extension adds its working days to the due time the pause left.
    assert extended.due == end_of(2026, 12, 2)
