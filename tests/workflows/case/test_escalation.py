"""Breaches and the escalation ladder (unit → unit leader and coordination centre → city leader → top-level
coordination): missed deadlines climb by themselves to the unit leader, and to the top for major items only (where
a routine case is held: test_automatic_ladder.py); the weekly review of top-level coordination across
continue-as-new."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from services.contracts import search_attributes as sa
from services.contracts.case_actions import (
    FeedbackReport,
    UnitAction,
)
from services.contracts.case_view import CaseView, DeadlineKind
from services.contracts.case_workflow import CaseUpdate, top_level_workflow_id
from services.contracts.cases import CaseStatus
from services.contracts.events import EventKind
from services.workflows.calendar.working_calendar import CHINA_TZ
from services.workflows.top_level.top_level_models import TopLevelView
from tests.workflows.escalation_requests import SATISFIED, TO_CITY_LEADER, TO_TOP_LEVEL
from tests.workflows.harness import CaseHandle, Cases, actions, around, eventually

MINUTE = timedelta(minutes=1)
# Hazardous chemicals stored in a residential area: an item the sample catalog marks as major.
MAJOR: dict[str, Any] = {"unit": "emergency-management", "item": "EM-05", "complexity": "complex", "major": True}
CENTRE = ("coordination-centre", "coordination")


def deadline_kinds(cases: Cases, kind: EventKind) -> list[str | None]:
    return [event.deadline_kind for event in cases.published.of_kind(kind)]


async def test_unsigned_major_case_climbs_one_step_per_missed_window_to_the_top_until_signed_for(
    cases: Cases,
) -> None:
    calendar = cases.sources.calendar
    case = await cases.start(**MAJOR)
    unit = MAJOR["unit"]
    sign_for_due = calendar.add_working_days(case.case.received_at, 1).at
    view = await case.state()
    # With the default policy the sign-for and transfer windows are the same working day.
    assert view.deadlines.sign_for == view.deadlines.transfer == sign_for_due

    # The window closes unsigned. Neither signed for nor transferred is one omission: one breach (sign-for), the
    # transfer window closes with it, one missed step (to the unit leader).
    await cases.sleep_until(sign_for_due + MINUTE)
    view = await case.state()
    assert (view.overdue, view.escalation_level, view.explanation_required) == (True, 1, True)
    assert [(b.kind, b.unit, b.escalation_level) for b in view.breaches] == [(DeadlineKind.SIGN_FOR, unit, 0)]
    assert cases.published.to(EventKind.DEADLINE_BREACHED) == [(unit, "unit"), (unit, "unit_leader")]
    assert deadline_kinds(cases, EventKind.DEADLINE_BREACHED) == ["sign_for", "sign_for"]
    # The unit leader was told by the breach notice; the coordination centre by an escalation notice.
    assert cases.published.to(EventKind.ESCALATED) == [CENTRE]
    assert actions(view)[-3:] == [
        ("deadline_breached", "system"),
        ("transfer_window_closed", "system"),
        ("escalated", "system"),
    ]
    attributes = (await case.handle.describe()).typed_search_attributes
    assert (attributes.get(sa.OVERDUE), attributes.get(sa.ESCALATION_LEVEL)) == (True, 1)

    # The next working day at 09:00 China time: the chase-up notice (催办).
    chase_up = calendar.start_of_next_working_day(sign_for_due).at
    await cases.sleep_until(chase_up - MINUTE)
    assert cases.published.of_kind(EventKind.CHASE_UP) == []
    await cases.sleep_until(chase_up + MINUTE)
    assert cases.published.to(EventKind.CHASE_UP) == [(unit, "unit")]
    chased = await case.internal_state()
    assert [t.chase_up_at for t in chased.tracked_deadlines if t.chase_up_sent and t.chase_up_at] == [chase_up]
    assert all(around(entry.at, chase_up) for entry in chased.timeline if entry.action == "chase_up")

    # One chase-up window (1 working day) later, still unsigned: the city leader in charge. The feedback deadline
    # (3 working days) ends at the same instant, so its breach is part of the same step.
    level_2_at = calendar.add_working_days(chase_up, 1).at
    assert level_2_at == view.deadlines.feedback
    await cases.sleep_until(level_2_at - MINUTE)
    assert (await case.state()).escalation_level == 1
    await cases.sleep_until(level_2_at + MINUTE)
    view = await case.state()
    assert view.escalation_level == 2
    assert [b.kind for b in view.breaches][-1] is DeadlineKind.FEEDBACK
    assert cases.published.to(EventKind.ESCALATED) == [CENTRE, ("city-leader", "leader")]

    # One more window: top-level coordination, which starts its own workflow.
    level_3_at = calendar.add_working_days(level_2_at, 1).at
    await cases.sleep_until(level_3_at + MINUTE)
    view = await case.state()
    assert view.escalation_level == 3
    assert cases.published.to(EventKind.ESCALATED) == [CENTRE, ("city-leader", "leader"), ("top-leadership", "leader")]
    assert ("top_level_coordination", "system") in actions(view)
    top_level_id = top_level_workflow_id(case.case_id)
    top_level = await cases.query_child(top_level_id, TopLevelView)
    assert (top_level.case_id, top_level.following, top_level.reviews_done) == (case.case_id, True, 0)

    # Signing for it now stops the sign-for steps; the pending feedback step finds the ladder at its top.
    await case.act(CaseUpdate.ACCEPT, UnitAction(unit=unit, note="已接单"))
    accepted = await case.internal_state()
    signed = accepted.tracked(DeadlineKind.SIGN_FOR)
    assert signed is not None and signed.met_at is not None and signed.next_escalation_at is None
    feedback_step = accepted.tracked(DeadlineKind.FEEDBACK)
    assert feedback_step is not None and feedback_step.next_escalation_at is not None
    await cases.sleep_until(feedback_step.next_escalation_at + MINUTE)
    assert (await case.state()).escalation_level == 3
    assert len(cases.published.of_kind(EventKind.ESCALATED)) == 3
    assert cases.published.of_kind(EventKind.ESCALATION_HELD) == []  # at the top: coordination follows the case

    # Resolving the case ends top-level coordination: the leadership hears it once and the workflow completes.
    await case.act(CaseUpdate.FEEDBACK, FeedbackReport(unit=unit, message="已联系您"))
    await case.act(CaseUpdate.RESOLVE, UnitAction(unit=unit, note="已清运"))
    await case.act(CaseUpdate.RATE, SATISFIED)
    result = await case.result()
    assert result.status is CaseStatus.CLOSED and result.escalation_level == 3
    assert deadline_kinds(cases, EventKind.DEADLINE_BREACHED) == ["sign_for"] * 2 + ["feedback"] * 2
    finished = await cases.child(top_level_id, TopLevelView).result()
    assert finished.following is False
    assert cases.published.to(EventKind.CASE_RESOLVED) == [("top-leadership", "leader")]


async def test_signing_for_and_replying_after_the_chase_up_stops_the_ladder(cases: Cases) -> None:
    calendar = cases.sources.calendar
    case = await cases.start(unit="water")
    sign_for_due = calendar.add_working_days(case.case.received_at, 1).at
    chase_up = calendar.start_of_next_working_day(sign_for_due).at
    await cases.sleep_until(chase_up + timedelta(hours=1))
    assert (await case.state()).escalation_level == 1

    await case.act(CaseUpdate.ACCEPT, UnitAction(unit="water"))
    replied = await case.act(CaseUpdate.FEEDBACK, FeedbackReport(unit="water", message="已联系您"))
    assert replied.overdue is False

    # Past the moments the next two steps would have come.
    level_3_at = calendar.add_working_days(calendar.add_working_days(chase_up, 1).at, 1).at
    await cases.sleep_until(level_3_at + timedelta(hours=1))
    view = await case.state()
    assert view.escalation_level == 1
    assert view.overdue is False
    assert [b.kind for b in view.breaches] == [DeadlineKind.SIGN_FOR]
    assert cases.published.to(EventKind.ESCALATED) == [CENTRE]
    assert cases.published.of_kind(EventKind.ESCALATION_HELD) == []
    assert len(cases.published.of_kind(EventKind.DEADLINE_BREACHED)) == 2
    assert len(cases.published.of_kind(EventKind.CHASE_UP)) == 1


async def test_escalation_requests_the_ladder_does_not_allow_are_refused(cases: Cases) -> None:
    case = await cases.start(unit="water")
    await case.act(CaseUpdate.ACCEPT, UnitAction(unit="water"))

    by_unit = await case.refused(CaseUpdate.ESCALATE, TO_TOP_LEVEL.model_copy(update={"unit": "water"}))
    assert "only the city leader in charge or the coordination centre" in by_unit.message
    skipping = await case.refused(CaseUpdate.ESCALATE, TO_TOP_LEVEL)
    assert "escalate to the city leader first" in skipping.message
    by_other = await case.refused(CaseUpdate.ESCALATE, TO_CITY_LEADER.model_copy(update={"unit": "health"}))
    assert "only the handling unit or the coordination centre" in by_other.message

    await case.act(CaseUpdate.ESCALATE, TO_CITY_LEADER)
    twice = await case.refused(CaseUpdate.ESCALATE, TO_CITY_LEADER)
    assert "already with the city leader or above" in twice.message

    view = await case.state()
    assert view.escalation_level == 2
    assert len(view.escalations) == 1
    assert cases.published.to(EventKind.ESCALATED) == [("city-leader", "leader")]


async def test_a_breach_handled_after_midnight_counts_its_chase_up_and_next_step_from_the_deadline(
    cases: Cases,
) -> None:
    """A case whose sign-for window closed at 23:59:59 China time reaches the worker two hours later (a worker
    restarting, a backlog after an outage): the breach is handled the next day, but the unit gets no extra working
    day for it, and the ladder climbs when docs/case-lifecycle.md says (a major item, which climbs past level 1)."""
    calendar = cases.sources.calendar
    # A working day a few days ahead that another follows (after a Friday, both counts would land on Monday), and
    # a case received on the working day before it: due at its end.
    due_day = (await cases.now()).astimezone(CHINA_TZ).date() + timedelta(days=3)
    while not (calendar.is_working_day(due_day) and calendar.is_working_day(due_day + timedelta(days=1))):
        due_day += timedelta(days=1)
    received_day = due_day - timedelta(days=1)
    while not calendar.is_working_day(received_day):
        received_day -= timedelta(days=1)
    received_at = calendar.start_of_working_day(received_day) + timedelta(hours=1)
    sign_for_due = calendar.add_working_days(received_at, 1).at
    assert sign_for_due.astimezone(CHINA_TZ).date() == due_day

    handled_at = sign_for_due + timedelta(hours=2)
    assert handled_at.astimezone(CHINA_TZ).date() > due_day, "handled after midnight"
    await cases.sleep_until(handled_at)
    case = await cases.start(cases.new_case(received_at, **MAJOR))

    view = await eventually(lambda: breached(case), "the breach is handled as soon as the case runs")
    assert [(b.kind, b.due) for b in view.breaches] == [(DeadlineKind.SIGN_FOR, sign_for_due)]
    assert view.breaches[0].at >= handled_at
    chase_up = calendar.start_of_next_working_day(sign_for_due).at
    # Counted from the handling time, both would have come a working day later.
    assert calendar.start_of_next_working_day(handled_at).at > chase_up
    level_2_at = calendar.add_working_days(chase_up, 1).at
    sign_for = (await case.internal_state()).tracked(DeadlineKind.SIGN_FOR)
    assert sign_for is not None and (sign_for.chase_up_at, sign_for.next_escalation_at) == (chase_up, level_2_at)

    await cases.sleep_until(chase_up + MINUTE)
    assert cases.published.to(EventKind.CHASE_UP) == [(MAJOR["unit"], "unit")]
    await cases.sleep_until(level_2_at - MINUTE)
    assert (await case.state()).escalation_level == 1
    await cases.sleep_until(level_2_at + MINUTE)
    assert (await case.state()).escalation_level == 2


@pytest.mark.parametrize(
    ("routing", "level", "escalated", "held"),
    [
        pytest.param(MAJOR, 3, [CENTRE, ("city-leader", "leader"), ("top-leadership", "leader")], 0, id="major"),
        # Routine: level 1, then the steps missed after it are held (handled together: one notice).
        pytest.param({"unit": "water"}, 1, [CENTRE], 1, id="routine"),
    ],
)
async def test_steps_that_fell_due_before_the_case_ran_are_taken_at_once_one_per_missed_window(
    cases: Cases, routing: dict[str, Any], level: int, escalated: list[tuple[str, str]], held: int
) -> None:
    """A case that reaches the worker long after its windows closed climbs the ladder as far as the time already
    missed takes it (and the automatic ladder goes), not one step per day from now."""
    calendar = cases.sources.calendar
    now = await cases.now()
    received_at = now - timedelta(days=14)
    case = await cases.start(cases.new_case(received_at, **routing))

    sign_for_due = calendar.add_working_days(received_at, 1).at
    chase_up = calendar.start_of_next_working_day(sign_for_due).at
    level_2_at = calendar.add_working_days(chase_up, 1).at
    level_3_at = calendar.add_working_days(level_2_at, 1).at
    assert level_3_at < now
    view = await eventually(lambda: at_level(case, level), "the ladder catches up with the time already missed")
    assert cases.published.to(EventKind.CHASE_UP)[:1] == [(routing["unit"], "unit")]

    async def caught_up() -> None:
        assert cases.published.to(EventKind.ESCALATED) == escalated
        assert len(cases.published.of_kind(EventKind.ESCALATION_HELD)) == held

    await eventually(caught_up, "every missed step taken or held")
    assert view.tracked(DeadlineKind.SIGN_FOR) is not None


async def breached(case: CaseHandle) -> CaseView:
    view = await case.state()
    assert view.breaches, "no breach yet"
    return view


async def at_level(case: CaseHandle, level: int) -> CaseView:
    view = await case.state()
    assert view.escalation_level == level, view.escalation_level
    return view
