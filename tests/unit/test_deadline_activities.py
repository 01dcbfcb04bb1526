"""The deadline activities on the official calendar: a batch counts each window as the single activity would."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from services.contracts.case_policy import Window, load_policy
from services.workflows.deadline_activities import DeadlineActivities, DeadlineBatch, DeadlineRequest
from services.workflows.working_calendar import WorkingCalendar

# A Friday afternoon in China (08:30 UTC): working days run past a weekend, hours run around the clock.
FRIDAY = datetime(2026, 11, 20, 8, 30, tzinfo=UTC)


@pytest.fixture
def activities() -> DeadlineActivities:
    calendar, policy = WorkingCalendar(), load_policy()
    return DeadlineActivities(calendar=lambda: calendar, policy=lambda: policy)


async def test_a_batch_counts_each_window_as_one_at_a_time_would(activities: DeadlineActivities) -> None:
    requests = [
        DeadlineRequest(start=FRIDAY, window=Window(working_days=1)),
        DeadlineRequest(start=FRIDAY, window=Window(working_days=3)),
        DeadlineRequest(start=FRIDAY, window=Window(hours=2), reminder_fraction=None),
        DeadlineRequest(start=FRIDAY, window=Window(working_days=7), extra_working_days=5),
    ]
    batch = await activities.compute_deadlines(DeadlineBatch(requests=requests))
    one_by_one = [await activities.compute_deadline(request) for request in requests]
    assert batch.deadlines == one_by_one
    # In the batch's order, and really different windows: Monday, Wednesday, two hours, 12 working days on.
    assert [d.due.date().isoformat() for d in batch.deadlines] == [
        "2026-11-23",
        "2026-11-25",
        "2026-11-20",
        "2026-12-08",
    ]
    assert batch.deadlines[2].reminders == []
    assert batch.deadlines[1].reminders


def test_an_empty_batch_is_refused() -> None:
    with pytest.raises(ValidationError, match="requests"):
        DeadlineBatch(requests=[])


def test_all_lists_every_activity_the_class_defines(activities: DeadlineActivities) -> None:
    """What the workers register: an activity added to the class and left out here would be unknown to them."""
    defined = {
        name
        for name, member in inspect.getmembers(DeadlineActivities)
        if hasattr(member, "__temporal_activity_definition")
    }
    assert {fn.__name__ for fn in activities.all()} == defined
    assert len(defined) == 4
