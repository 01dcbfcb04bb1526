"""A special rectification's rules of time and its view, on their own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.assessment.rectification import rectification_state as rules
from services.assessment.rectification.rectification_state import Alarm, RectificationState
from services.contracts.case_classes import RectificationCadence
from services.contracts.rectifications import ProgressEntry, RectificationRequest, RectificationStart

OPENED = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
WEEK = timedelta(days=7)


def opened(**cadence: float) -> RectificationState:
    request = RectificationRequest(
        class_id="5f0c7c1e-3d2a-5b7e-9a51-0c2f4e6d8b10",
        title="供水管网集中整治",
        lead_unit="water",
        participants=["hekou-town"],
        deadline=OPENED + timedelta(days=30),
    )
    return rules.opening_state(
        RectificationStart(rectification_id="r1", request=request, opened_by="coordination-centre"),
        opened_at=OPENED,
        class_cases={"c1": False, "c2": True, "c3": False},
        cadence=RectificationCadence(**cadence),
        catalog_item="LS-06",
        township="hekou-town",
    )


def test_opening_links_the_open_cases_and_sets_the_clocks() -> None:
    state = opened(check_cases_every_hours=12)

    assert [case.case_id for case in state.cases] == ["c1", "c3"] and state.left_out == ["c2"]
    assert (state.next_progress_due, state.next_case_check) == (OPENED + WEEK, OPENED + timedelta(hours=12))
    assert rules.next_alarm_at(state) == OPENED + timedelta(hours=12)
    assert state.units == ["water", "hekou-town"]


def test_what_is_due_when() -> None:
    state = opened()
    state.next_case_check = OPENED + timedelta(days=100)

    assert rules.due_alarms(state, OPENED + timedelta(days=6)) == []
    assert rules.due_alarms(state, OPENED + WEEK) == [Alarm.PROGRESS_DUE]
    assert rules.due_alarms(state, OPENED + timedelta(days=30)) == [Alarm.DEADLINE, Alarm.PROGRESS_DUE]
    state.deadline_noticed = True
    assert rules.due_alarms(state, OPENED + timedelta(days=31)) == [Alarm.PROGRESS_DUE]
    rules.close(state, unit="coordination-centre", result="完成", now=OPENED + timedelta(days=31))
    assert rules.due_alarms(state, OPENED + timedelta(days=60)) == []


def test_a_report_moves_the_due_time_and_a_reminder_moves_it_past_now() -> None:
    state = opened()
    rules.report_progress(state, ProgressEntry(at=OPENED + timedelta(days=5), unit="water", text="排查"))
    assert state.next_progress_due == OPENED + timedelta(days=12)

    # Away for three weeks: one reminder for the due time missed, the next due after now.
    missed = rules.remind(state, OPENED + timedelta(days=33))
    assert missed == OPENED + timedelta(days=12)
    assert (state.next_progress_due, state.reminders_sent) == (OPENED + timedelta(days=40), 1)


def test_cases_that_join_are_linked_once_and_closed_ones_follow_their_records() -> None:
    state = opened()
    now = OPENED + timedelta(hours=6)

    joined = rules.link_cases(state, {"c1": True, "c2": True, "c3": False, "c4": False}, now)

    assert joined == ["c4"]  # c2 had closed before the rectification: left out
    assert [(c.case_id, c.closed, c.linked_at) for c in state.cases] == [
        ("c1", True, OPENED),
        ("c3", False, OPENED),
        ("c4", False, now),
    ]
    assert rules.link_cases(state, {"c4": False}, now) == []


def test_the_view_has_no_bookkeeping_and_says_overdue_while_open_past_the_deadline() -> None:
    state = opened()
    state.reminders_sent = 3

    view = rules.project(state, OPENED + timedelta(days=31))

    assert view.overdue and (view.case_count, view.open_case_count) == (2, 2)
    assert "reminders_sent" not in view.model_dump() and "left_out" not in view.model_dump()
    rules.close(state, unit="coordination-centre", result="完成", now=OPENED + timedelta(days=31))
    closed = rules.project(state, OPENED + timedelta(days=32))
    assert not closed.overdue and closed.next_progress_due is None and closed.result == "完成"
