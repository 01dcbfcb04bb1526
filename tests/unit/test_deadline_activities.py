"""The deadline activities on the official calendar: a batch counts each window as the single activity would, and a
case's start resolves its policy and counts its first deadlines as the two activities would one after the other."""

from __future__ import annotations

import inspect
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from services.contracts.case_policy import Window, load_policy
from services.contracts.case_view import DeadlineKind
from services.workflows.calendar.deadline_activities import (
    CaseStartRequest,
    DeadlineActivities,
    DeadlineBatch,
    DeadlineRequest,
    PolicyRequest,
    deadline_request,
    window_for,
)
from services.workflows.calendar.working_calendar import WorkingCalendar

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


FIRST_DEADLINES = [DeadlineKind.SIGN_FOR, DeadlineKind.TRANSFER, DeadlineKind.FEEDBACK, DeadlineKind.RESOLUTION]


@pytest.mark.parametrize(
    "policy",
    [
        PolicyRequest(item=None),
        PolicyRequest(item=None, complexity="complex"),
        PolicyRequest(item=None, urgent=True),
        PolicyRequest(item=None, urgent=True, urgent_allowed=False),
    ],
    ids=["normal", "complex", "urgent", "urgent-not-allowed"],
)
async def test_a_case_start_gives_what_the_policy_and_then_the_batch_would(
    activities: DeadlineActivities, policy: PolicyRequest
) -> None:
    started = await activities.start_case(CaseStartRequest(policy=policy, start=FRIDAY, deadlines=FIRST_DEADLINES))

    resolved = await activities.resolve_case_policy(policy)
    batch = DeadlineBatch(
        requests=[deadline_request(resolved, FRIDAY, window_for(resolved, k)) for k in FIRST_DEADLINES]
    )
    assert started.policy == resolved
    assert started.deadlines == (await activities.compute_deadlines(batch)).deadlines
    # In the order asked: sign-for first, resolution last (the longest window).
    assert started.deadlines[0].due < started.deadlines[-1].due


async def test_a_case_start_counts_the_kinds_asked_in_their_order(activities: DeadlineActivities) -> None:
    policy = PolicyRequest(item=None)
    both = await activities.start_case(
        CaseStartRequest(policy=policy, start=FRIDAY, deadlines=[DeadlineKind.RESOLUTION, DeadlineKind.SIGN_FOR])
    )
    alone = await activities.start_case(
        CaseStartRequest(policy=policy, start=FRIDAY, deadlines=[DeadlineKind.SIGN_FOR])
    )
    assert both.deadlines[1] == alone.deadlines[0]
    assert both.deadlines[0].due > both.deadlines[1].due


def test_a_case_start_without_deadlines_is_refused() -> None:
    with pytest.raises(ValidationError, match="deadlines"):
        CaseStartRequest(policy=PolicyRequest(item=None), start=FRIDAY, deadlines=[])


async def test_each_kind_a_case_tracks_has_its_window_in_the_policy(activities: DeadlineActivities) -> None:
    resolved = await activities.resolve_case_policy(PolicyRequest(item=None))
    windows = resolved.windows
    assert window_for(resolved, DeadlineKind.SIGN_FOR) == windows.sign_for
    assert window_for(resolved, DeadlineKind.TRANSFER) == windows.transfer
    assert window_for(resolved, DeadlineKind.FEEDBACK) == windows.feedback
    assert window_for(resolved, DeadlineKind.RESOLUTION) == windows.resolution
    assert window_for(resolved, DeadlineKind.ARBITRATION) == resolved.arbitration
    # Triage is the triage workflow's, not a case's: no window for it here.
    with pytest.raises(KeyError):
        window_for(resolved, DeadlineKind.TRIAGE)


def test_all_lists_every_activity_the_class_defines(activities: DeadlineActivities) -> None:
    """What the workers register: an activity added to the class and left out here would be unknown to them."""
    defined = {
        name
        for name, member in inspect.getmembers(DeadlineActivities)
        if hasattr(member, "__temporal_activity_definition")
    }
    assert {fn.__name__ for fn in activities.all()} == defined
    assert len(defined) == 5
