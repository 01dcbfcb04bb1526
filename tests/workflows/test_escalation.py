"""Breaches and the escalation ladder (unit → unit leader and coordination centre → city leader → top-level
coordination): missed deadlines climb by themselves to the unit leader, and to the top for major items only (where
a routine case is held: test_automatic_ladder.py); the weekly review of top-level coordination across
continue-as-new."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowExecutionStatus

from services.contracts import search_attributes as sa
from services.contracts.case_actions import (
    TOP_LEADERSHIP,
    EscalationRequest,
    EscalationTarget,
    FeedbackReport,
    ProgressReport,
    RatingSubmission,
    UnitAction,
)
from services.contracts.case_policy import load_policy
from services.contracts.case_view import CaseView, DeadlineKind, RatingLevel
from services.contracts.case_workflow import TOP_LEVEL_TYPE, CaseUpdate, top_level_workflow_id
from services.contracts.cases import CaseStatus
from services.contracts.events import EventKind
from services.workflows.calendar.working_calendar import CHINA_TZ
from services.workflows.top_level.top_level_models import TopLevelView
from tests.workflows.harness import CaseHandle, Cases, actions, around, eventually

MINUTE = timedelta(minutes=1)
# Hazardous chemicals stored in a residential area: an item the sample catalog marks as major.
MAJOR: dict[str, Any] = {"unit": "emergency-management", "item": "EM-05", "complexity": "complex", "major": True}
CENTRE = ("coordination-centre", "coordination")
SATISFIED = RatingSubmission(speed=RatingLevel.SATISFIED, outcome=RatingLevel.SATISFIED)
TO_CITY_LEADER = EscalationRequest(
    unit="water",
    to=EscalationTarget.CITY_LEADER,
    reason="主管网破裂，需多部门配合",
    plan="建议水务局牵头，住建、交通配合抢修",
)
TO_TOP_LEVEL = EscalationRequest(
    unit="city-leader", to=EscalationTarget.TOP_LEVEL, reason="涉及全市供水调度", plan="市政府主要领导调度，周报进展"
)


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


async def count_runs(cases: Cases, workflow_id: str) -> int:
    """How many runs the workflow has had: follow continue-as-new back from the latest run."""
    runs = 1
    history = await cases.env.client.get_workflow_handle(workflow_id).fetch_history()
    previous = history.events[0].workflow_execution_started_event_attributes.continued_execution_run_id
    while previous:
        runs += 1
        history = await cases.env.client.get_workflow_handle(workflow_id, run_id=previous).fetch_history()
        assert history.events[-1].event_type == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW
        previous = history.events[0].workflow_execution_started_event_attributes.continued_execution_run_id
    return runs


async def test_top_level_coordination_reviews_weekly_across_continue_as_new_until_resolved(cases: Cases) -> None:
    cases.sources.policy = load_policy().model_copy(update={"top_level_reviews_per_run": 2})
    case = await cases.start(unit="water")
    await case.act(CaseUpdate.ACCEPT, UnitAction(unit="water"))
    await case.act(CaseUpdate.FEEDBACK, FeedbackReport(unit="water", message="已联系您"))

    to_city = await case.act(CaseUpdate.ESCALATE, TO_CITY_LEADER)
    assert to_city.escalation_level == 2
    assert [(e.level, e.level_name, e.requested_by, e.plan) for e in to_city.escalations] == [
        (2, "city_leader", "water", TO_CITY_LEADER.plan)
    ]
    assert actions(to_city)[-2:] == [("escalation_requested", "water"), ("escalated", "system")]
    assert cases.published.to(EventKind.ESCALATED) == [("city-leader", "leader")]
    assert TO_CITY_LEADER.plan in cases.published.of_kind(EventKind.ESCALATED)[0].detail

    to_top = await case.act(CaseUpdate.ESCALATE, TO_TOP_LEVEL)
    assert to_top.escalation_level == 3
    assert cases.published.to(EventKind.ESCALATED) == [("city-leader", "leader"), ("top-leadership", "leader")]
    [started] = [entry for entry in to_top.timeline if entry.action == "top_level_coordination"]
    top_level_id = top_level_workflow_id(case.case_id)
    first_run = (await cases.child(top_level_id, TopLevelView).describe()).run_id

    await cases.sleep_until(started.at + timedelta(days=35, hours=1))

    reviews = cases.published.of_kind(EventKind.WEEKLY_REVIEW)
    assert [(e.unit, e.audience.value, e.sequence) for e in reviews] == [
        ("top-leadership", "leader", n) for n in range(1, 6)
    ]
    assert all(around(e.occurred_at, started.at + timedelta(days=7 * n)) for n, e in enumerate(reviews, start=1))
    assert all(e.plan == TO_TOP_LEVEL.plan for e in reviews)
    state = await cases.query_child(top_level_id, TopLevelView)
    assert (state.reviews_done, state.following) == (5, True)
    # Two reviews per run: runs of reviews 1–2 and 3–4 continued as new; the third run holds review 5.
    assert await count_runs(cases, top_level_id) == 3
    assert state.runs == 3
    assert (await cases.child(top_level_id, TopLevelView).describe()).run_id != first_run

    # Resolved: the leadership hears it once and the reviews stop; the caller's rating closes the case and with it
    # the coordination.
    await case.act(CaseUpdate.RESOLVE, UnitAction(unit="water", note="已恢复供水"))
    await eventually(lambda: _resolution_announced(cases, 1), "the leadership hears of the resolution")
    state = await cases.query_child(top_level_id, TopLevelView)
    assert (state.reviews_done, state.following) == (5, False)
    await case.act(CaseUpdate.RATE, SATISFIED)
    finished = await cases.child(top_level_id, TopLevelView).result()
    assert (finished.reviews_done, finished.following) == (5, False)
    assert finished.latest is not None and finished.latest.status == "closed"
    assert cases.published.to(EventKind.CASE_RESOLVED) == [("top-leadership", "leader")]
    assert len(cases.published.of_kind(EventKind.WEEKLY_REVIEW)) == 5


async def test_a_resolution_that_arrives_as_a_run_ends_is_not_lost_across_continue_as_new(cases: Cases) -> None:
    """The case is resolved while the review that ends a run is being published: the coordination tells the
    leadership and stops reviewing instead of carrying on, in a new run, with a matter that is settled."""
    # A caller slow to rate: weeks in which a coordination that missed the resolution would go on reviewing.
    policy = load_policy().model_copy(update={"top_level_reviews_per_run": 2, "rating_wait_days": 30})
    cases.sources.policy = policy
    case, started_at = await at_top_level(cases)
    top_level_id = top_level_workflow_id(case.case_id)
    last_review = cases.published.hold(lambda e: e.kind is EventKind.WEEKLY_REVIEW and e.sequence == 2)

    # Up to just before the second review; the last seconds pass in real time, so the review is held mid-flight.
    await cases.sleep_until(started_at + timedelta(days=14) - timedelta(seconds=2))
    await eventually(lambda: _published(cases, EventKind.WEEKLY_REVIEW, 2), "the run's last review is on its way")
    await case.act(CaseUpdate.RESOLVE, UnitAction(unit="water", note="已恢复供水"))

    async def resolution_heard() -> None:
        state = await cases.query_child(top_level_id, TopLevelView)
        assert state.latest is not None and state.latest.status == "resolved"

    await eventually(resolution_heard, "the coordination hears the resolution while the review is published")
    last_review.set()
    await eventually(lambda: _resolution_announced(cases, 1), "the leadership hears of the resolution")

    await cases.sleep_until(started_at + timedelta(days=14 + 28))
    assert len(cases.published.of_kind(EventKind.WEEKLY_REVIEW)) == 2
    state = await cases.query_child(top_level_id, TopLevelView)
    assert (state.following, state.reviews_done, state.runs) == (False, 2, 1)

    # No rating comes: the case closes as not rated, and the coordination with it, in its first run.
    closed = await case.result()
    assert closed.closed_reason == "not rated"
    finished = await cases.child(top_level_id, TopLevelView).result()
    assert finished.following is False and finished.latest is not None and finished.latest.status == "closed"
    assert await count_runs(cases, top_level_id) == 1
    assert cases.published.to(EventKind.CASE_RESOLVED).count((TOP_LEADERSHIP, "leader")) == 1
    assert len(cases.published.of_kind(EventKind.WEEKLY_REVIEW)) == 2


async def test_one_coordination_follows_the_case_through_a_rework(cases: Cases) -> None:
    """Resolved, reworked (unsatisfied rating), resolved again: at no moment do two coordinations run for the case,
    not even when the rework arrives while the leadership is still being told of the first resolution."""
    case, _started_at = await at_top_level(cases)
    top_level_id = top_level_workflow_id(case.case_id)
    assert await running_coordinations(cases, case) == [top_level_id]
    telling = cases.published.hold(lambda e: e.kind is EventKind.CASE_RESOLVED and e.unit == TOP_LEADERSHIP)

    await case.act(CaseUpdate.RESOLVE, UnitAction(unit="water", note="已恢复供水"))
    await eventually(lambda: _resolution_announced(cases, 1), "the leadership is being told of the resolution")
    assert await running_coordinations(cases, case) == [top_level_id]
    reworked = await case.act(
        CaseUpdate.RATE,
        RatingSubmission(speed=RatingLevel.SATISFIED, outcome=RatingLevel.UNSATISFIED, comment="没修好"),
    )
    assert reworked.status is CaseStatus.REWORK
    assert await running_coordinations(cases, case) == [top_level_id]
    telling.set()

    async def following_again() -> TopLevelView:
        state = await cases.query_child(top_level_id, TopLevelView)
        assert state.following is True and state.latest is not None and state.latest.status == "rework"
        return state

    await eventually(following_again, "the coordination follows the reworked case")
    assert actions(reworked).count(("top_level_coordination", "system")) == 2
    await cases.sleep_until(reworked.timeline[-1].at + timedelta(days=7, hours=1))
    assert len(cases.published.of_kind(EventKind.WEEKLY_REVIEW)) == 1
    assert await running_coordinations(cases, case) == [top_level_id]

    await case.act(CaseUpdate.RESOLVE, UnitAction(unit="water", note="已更换管道"))
    await eventually(lambda: _resolution_announced(cases, 2), "the leadership hears of the second resolution")
    assert await running_coordinations(cases, case) == [top_level_id]
    await case.act(CaseUpdate.RATE, SATISFIED)
    closed = await case.result()
    assert closed.status is CaseStatus.CLOSED
    assert await running_coordinations(cases, case) == []
    assert await started_coordinations(cases, case) == [top_level_id]
    leadership = [e for e in cases.published.events if e.unit == TOP_LEADERSHIP and e.kind is not EventKind.ESCALATED]
    assert [e.kind for e in leadership] == [EventKind.CASE_RESOLVED, EventKind.WEEKLY_REVIEW, EventKind.CASE_RESOLVED]
    # One coordination, one numbering: none of its events is dropped as a duplicate of another.
    assert len({e.event_id for e in leadership}) == len({e.sequence for e in leadership}) == 3


async def at_top_level(cases: Cases) -> tuple[CaseHandle, datetime]:
    """A case signed for, answered and escalated to top-level coordination; when the coordination started."""
    case = await cases.start(unit="water")
    await case.act(CaseUpdate.ACCEPT, UnitAction(unit="water"))
    await case.act(CaseUpdate.FEEDBACK, FeedbackReport(unit="water", message="已联系您"))
    await case.act(CaseUpdate.ESCALATE, TO_CITY_LEADER)
    view = await case.act(CaseUpdate.ESCALATE, TO_TOP_LEVEL)
    [started] = [entry for entry in view.timeline if entry.action == "top_level_coordination"]
    return case, started.at


async def started_coordinations(cases: Cases, case: CaseHandle) -> list[str]:
    """The workflow ids of every top-level coordination the case has started, from the case's history."""
    history = await case.handle.fetch_history()
    return [
        event.start_child_workflow_execution_initiated_event_attributes.workflow_id
        for event in history.events
        if event.event_type == EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED
        and event.start_child_workflow_execution_initiated_event_attributes.workflow_type.name == TOP_LEVEL_TYPE
    ]


async def running_coordinations(cases: Cases, case: CaseHandle) -> list[str]:
    """Those of them running now."""
    running = []
    for workflow_id in await started_coordinations(cases, case):
        description = await cases.child(workflow_id, TopLevelView).describe()
        if description.status is WorkflowExecutionStatus.RUNNING:
            running.append(workflow_id)
    return running


async def _published(cases: Cases, kind: EventKind, count: int) -> None:
    assert len(cases.published.of_kind(kind)) >= count


async def _resolution_announced(cases: Cases, count: int) -> None:
    assert cases.published.to(EventKind.CASE_RESOLVED).count((TOP_LEADERSHIP, "leader")) >= count


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


async def test_progress_reaches_top_level_coordination(cases: Cases) -> None:
    case, _started_at = await at_top_level(cases)
    await case.act(CaseUpdate.PROGRESS, ProgressReport(unit="water", done="已更换主管道阀门", next="试压"))

    async def progress_heard() -> TopLevelView:
        state = await cases.query_child(top_level_workflow_id(case.case_id), TopLevelView)
        assert state.latest is not None and "已更换主管道阀门" in state.latest.note
        return state

    await eventually(progress_heard, "top-level coordination hears the interim report")


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
