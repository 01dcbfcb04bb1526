"""`TriageCase`: a case the router could not place waits for the coordination centre, with a deadline.

Time-skipping, with the real deadline activities and fakes registered by name for the publisher of events and
for `record_triage_decision` / `publish_routed_case`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from services.contracts import search_attributes as sa
from services.contracts.attachment_fetch import ATTACHMENT_TASK_QUEUE, fetched_attachment_id
from services.contracts.case_ids import triage_workflow_id
from services.contracts.case_view import CaseView, DeadlineKind
from services.contracts.case_workflow import (
    ACTION_REFUSED,
    INTERNAL_STATE_QUERY,
    STATE_QUERY,
    TRIAGE_CASE_TYPE,
    TRIAGE_DECIDE_UPDATE,
)
from services.contracts.cases import CaseStatus, RoutingMethod
from services.contracts.events import EventKind
from services.contracts.triage import TriageAssignment
from services.workflows.case.case_state import CaseState
from tests.workflows.case.test_attachment_fetches import GONE, PHOTO, FakeFetcher, with_urls
from tests.workflows.harness import (
    PublishedEvents,
    TriageOutbox,
    actions,
    case_for_triage,
    eventually,
    lift_decision,
)

COORDINATION = ("coordination-centre", "coordination")


async def start(env: WorkflowEnvironment, queue: str, published: PublishedEvents) -> WorkflowHandle[Any, CaseView]:
    case = case_for_triage(await env.get_current_time())
    handle = await env.client.start_workflow(
        TRIAGE_CASE_TYPE, case, id=triage_workflow_id(case.case_id), task_queue=queue, result_type=CaseView
    )

    async def centre_told() -> None:
        assert published.to(EventKind.TRIAGE_NEEDED) == [COORDINATION]

    await eventually(centre_told, "the coordination centre is told a case needs triage")
    return handle


async def state(handle: WorkflowHandle[Any, CaseView]) -> CaseView:
    view: CaseView = await handle.query(STATE_QUERY, result_type=CaseView)
    return view


async def decide(handle: WorkflowHandle[Any, CaseView], assignment: TriageAssignment) -> CaseView:
    view: CaseView = await handle.execute_update(TRIAGE_DECIDE_UPDATE, assignment, result_type=CaseView)
    return view


async def refused(handle: WorkflowHandle[Any, CaseView], assignment: TriageAssignment) -> str:
    with pytest.raises(WorkflowUpdateFailedError) as failed:
        await decide(handle, assignment)
    cause = failed.value.cause
    assert isinstance(cause, ApplicationError) and cause.type == ACTION_REFUSED, cause
    return cause.message


async def skip_to(env: WorkflowEnvironment, moment: datetime) -> None:
    remaining = moment - await env.get_current_time()
    if remaining > timedelta(0):
        await env.sleep(remaining)


async def test_a_decision_in_time_hands_the_case_on_as_routed_keeping_the_original_classification(
    env: WorkflowEnvironment, task_queue: str, published: PublishedEvents, outbox: TriageOutbox
) -> None:
    handle = await start(env, task_queue, published)
    waiting = await state(handle)
    assert waiting.status is CaseStatus.TRIAGE
    assert waiting.handling_unit is None and waiting.township == "donghu-street"
    assert waiting.routing is not None and waiting.routing.runner_up == "MS-04"
    assert waiting.deadlines.triage is not None and waiting.deadlines.triage > waiting.received_at  # type: ignore[operator]
    [needed] = published.of_kind(EventKind.TRIAGE_NEEDED)
    assert needed.event_id.endswith(":triage:1") and needed.due == waiting.deadlines.triage
    assert "below the threshold" in needed.detail
    await env.sleep(timedelta(hours=1))

    decided = await decide(handle, lift_decision())

    assert decided.status is CaseStatus.RECEIVED  # `assigned` once its FirstContactCase has counted deadlines
    assert decided.handling_unit == decided.first_contact_unit == "market-regulation"
    assert decided.catalog_item == "MS-04"
    routing = decided.routing
    assert routing is not None and routing.method is RoutingMethod.TRIAGE
    assert routing.decided_by == "coordination-centre" and routing.note == "电梯故障为主，派市场监管局"
    assert routing.original is not None and routing.original.method is RoutingMethod.TEXT
    assert (routing.original.item, routing.original.confidence) == ("UC-03", 0.7046)
    result = await handle.result()
    [routed] = outbox.routed
    assert routed.case_id == result.case_id and routed.routing == result.routing
    assert routed.routing.unit == "market-regulation" and routed.ticket.title == "物业和电梯"
    [record] = outbox.records
    assert (record.title, record.chosen_item, record.handling_unit) == ("物业和电梯", "MS-04", "market-regulation")
    assert (record.original_item, record.original_runner_up, record.original_method) == ("UC-03", "MS-04", "text")
    assert [a for a, _ in actions(result)] == ["received", "sent_to_triage", "triaged", "routed"]
    assert result.overdue is False and result.breaches == []
    assert published.of_kind(EventKind.REMINDER) == [] and published.of_kind(EventKind.DEADLINE_BREACHED) == []
    attributes = (await handle.describe()).typed_search_attributes
    assert attributes.get(sa.CASE_STATUS) is None, "no longer listed as waiting for triage"
    assert attributes.get(sa.CASE_ID) == result.case_id


async def test_the_coordination_centre_is_reminded_at_three_quarters_of_the_window(
    env: WorkflowEnvironment, task_queue: str, published: PublishedEvents
) -> None:
    handle = await start(env, task_queue, published)
    waiting: CaseState = await handle.query(INTERNAL_STATE_QUERY, result_type=CaseState)
    tracked = waiting.tracked(DeadlineKind.TRIAGE)
    assert tracked is not None
    [reminder] = tracked.reminders
    assert reminder == tracked.started_at + (tracked.due - tracked.started_at) * 0.75

    await skip_to(env, reminder + timedelta(minutes=1))

    async def reminded() -> None:
        assert published.to(EventKind.REMINDER) == [COORDINATION]

    await eventually(reminded, "a reminder to the coordination centre")
    still = await state(handle)
    assert still.status is CaseStatus.TRIAGE and still.overdue is False
    assert published.of_kind(EventKind.DEADLINE_BREACHED) == []


async def test_a_late_decision_is_a_breach_told_to_the_centre_and_its_leader(
    env: WorkflowEnvironment, task_queue: str, published: PublishedEvents, outbox: TriageOutbox
) -> None:
    handle = await start(env, task_queue, published)
    due = (await state(handle)).deadlines.triage
    assert due is not None

    await skip_to(env, due + timedelta(minutes=1))

    async def breached() -> CaseView:
        view = await state(handle)
        assert view.overdue is True
        return view

    late = await eventually(breached, "the triage deadline breached")
    assert published.to(EventKind.DEADLINE_BREACHED) == [COORDINATION, ("coordination-centre", "unit_leader")]
    assert [(b.kind, b.unit, b.due) for b in late.breaches] == [(DeadlineKind.TRIAGE, "coordination-centre", due)]
    assert (await handle.describe()).typed_search_attributes.get(sa.OVERDUE) is True

    await decide(handle, lift_decision())
    result = await handle.result()

    assert result.overdue is False and len(result.breaches) == 1, "the breach stays on record"
    assert [r.routing.unit for r in outbox.routed] == ["market-regulation"]
    assert (await handle.describe()).typed_search_attributes.get(sa.OVERDUE) is None


async def test_only_the_coordination_centre_decides_and_only_once(
    env: WorkflowEnvironment, task_queue: str, published: PublishedEvents, outbox: TriageOutbox
) -> None:
    handle = await start(env, task_queue, published)

    by_unit = await refused(handle, lift_decision(unit="water"))
    assert "only the coordination centre" in by_unit and "'water'" in by_unit
    no_unit = await refused(handle, lift_decision(handling_unit=None))
    assert "names no handling unit" in no_unit
    assert (await state(handle)).status is CaseStatus.TRIAGE

    outbox.release.clear()  # hold the hand-over so the workflow is still running for the second decision
    await decide(handle, lift_decision())
    twice = await refused(handle, lift_decision())
    outbox.release.set()

    assert "not awaiting triage" in twice and "coordination-centre" in twice
    await handle.result()
    assert len(outbox.routed) == 1


async def test_the_centre_sees_the_tickets_photos_while_it_decides(
    env: WorkflowEnvironment, task_queue: str, published: PublishedEvents
) -> None:
    """Fetched while the case waits, listed on the triage's view; a refusal is the routed case's to write."""
    fetcher = FakeFetcher()
    case = with_urls(case_for_triage(await env.get_current_time()), PHOTO, GONE)
    async with Worker(env.client, task_queue=ATTACHMENT_TASK_QUEUE, activities=[fetcher.fetch]):
        handle = await env.client.start_workflow(
            TRIAGE_CASE_TYPE, case, id=triage_workflow_id(case.case_id), task_queue=task_queue, result_type=CaseView
        )

        async def listed() -> None:
            view = await state(handle)
            assert [a.attachment_id for a in view.attachments] == [fetched_attachment_id(case.case_id, 0)]

        await eventually(listed, "the photo listed on the case waiting for triage")
    view = await state(handle)
    assert (view.status, fetcher.calls) == (CaseStatus.TRIAGE, {PHOTO: 1, GONE: 1})
    assert "attachment_fetch_failed" not in [action for action, _ in actions(view)]
