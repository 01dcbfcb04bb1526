"""The public view of a case: everything a platform may see, none of the workflow's bookkeeping."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from services.contracts.case_policy import Window
from services.contracts.case_view import CaseView, DeadlineKind
from services.contracts.cases import CaseStatus
from services.workflows.calendar.deadline_clock import DeadlineClock
from services.workflows.calendar.deadline_pauses import Pause
from services.workflows.case.case_state import CaseState, public_view

RECEIVED = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
BOOKKEEPING = {"window", "reminders", "reminders_sent", "chase_up_sent", "next_escalation_at", "pauses"}
COUNTERS = {"event_sequence", "notification_sequence", "last_platform_sequence"}


def _state() -> CaseState:
    clock = DeadlineClock(
        kind=DeadlineKind.FEEDBACK,
        started_at=RECEIVED,
        due=RECEIVED + timedelta(days=3),
        window=Window(working_days=3),
        reminders=[RECEIVED + timedelta(days=2)],
        reminders_sent=1,
        breached_at=RECEIVED + timedelta(days=3),
        chase_up_at=RECEIVED + timedelta(days=4),
        chase_up_sent=True,
        next_escalation_at=RECEIVED + timedelta(days=5),
        pauses=[Pause(paused_at=RECEIVED + timedelta(hours=1), resumed_at=RECEIVED + timedelta(hours=2))],
        paused_at=RECEIVED + timedelta(days=3, hours=1),
    )
    return CaseState(
        case_id="c-1", status=CaseStatus.ACCEPTED, channel="12345", external_id="T-1", tracked_deadlines=[clock]
    )


def test_the_public_view_carries_no_bookkeeping() -> None:
    body = json.loads(public_view(_state()).model_dump_json())
    [deadline] = body["tracked_deadlines"]
    assert BOOKKEEPING.isdisjoint(deadline)
    assert deadline["chase_up_at"] == "2026-12-11T09:00:00Z"
    # That the clock stands still is public; the pauses that moved its due time are the workflow's bookkeeping.
    assert deadline["paused_at"] == "2026-12-10T10:00:00Z"
    assert set(body) == set(CaseView.model_fields)
    assert COUNTERS.isdisjoint(body)


def test_the_public_view_shows_every_public_field_as_the_state_has_it() -> None:
    state = _state()
    view = public_view(state)
    assert type(view) is CaseView
    public = state.model_dump(include=set(CaseView.model_fields), exclude={"tracked_deadlines"})
    assert view.model_dump(exclude={"tracked_deadlines"}) == public
    tracked = view.tracked(DeadlineKind.FEEDBACK)
    assert tracked is not None and (tracked.due, tracked.breached_at) == (
        state.tracked_deadlines[0].due,
        RECEIVED + timedelta(days=3),
    )
    # What a platform reads back parses as the view (the API's model), not only as the state.
    assert CaseView.model_validate_json(view.model_dump_json()) == view
