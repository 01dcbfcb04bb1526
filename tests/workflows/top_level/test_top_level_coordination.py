"""Top-level coordination (顶格调度): one per case, weekly reviews, across continue-as-new and reworks."""

from __future__ import annotations

from datetime import datetime, timedelta

from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowExecutionStatus

from services.contracts.case_actions import (
    TOP_LEADERSHIP,
    FeedbackReport,
    ProgressReport,
    RatingSubmission,
    UnitAction,
)
from services.contracts.case_policy import load_policy
from services.contracts.case_view import RatingLevel
from services.contracts.case_workflow import TOP_LEVEL_TYPE, CaseUpdate, top_level_workflow_id
from services.contracts.cases import CaseStatus
from services.contracts.events import EventKind
from services.workflows.top_level.top_level_models import TopLevelView
from tests.workflows.escalation_requests import SATISFIED, TO_CITY_LEADER, TO_TOP_LEVEL
from tests.workflows.harness import CaseHandle, Cases, actions, around, eventually


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


async def test_progress_reaches_top_level_coordination(cases: Cases) -> None:
    case, _started_at = await at_top_level(cases)
    await case.act(CaseUpdate.PROGRESS, ProgressReport(unit="water", done="已更换主管道阀门", next="试压"))

    async def progress_heard() -> TopLevelView:
        state = await cases.query_child(top_level_workflow_id(case.case_id), TopLevelView)
        assert state.latest is not None and "已更换主管道阀门" in state.latest.note
        return state

    await eventually(progress_heard, "top-level coordination hears the interim report")
