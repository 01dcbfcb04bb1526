"""A case's opening bears the same times whichever worker tells it: the one that ran it, or one replaying its history
(as a query on a closed case is answered), even when its first workflow task was kept alive past a slow local
activity (on replay that task and the next count as one, with the next one's time)."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from temporalio import activity
from temporalio.api.enums.v1 import EventType
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import (
    Interceptor,
    Replayer,
    StartLocalActivityInput,
    UnsandboxedWorkflowRunner,
    WorkflowInboundInterceptor,
    WorkflowInterceptorClassInput,
    WorkflowOutboundInterceptor,
)
from temporalio.workflow import ActivityHandle

from services.contracts.case_event_log import CaseEvent
from services.contracts.case_ids import workflow_id_for
from services.contracts.case_workflow import WORKFLOW_TYPE
from services.contracts.events import EventKind
from services.workflows.calendar.deadline_activities import CaseStart, CaseStartRequest, DeadlineActivities
from services.workflows.publishing.activities import CaseChanges
from services.workflows.worker import WORKFLOWS
from services.workflows.workflow_starter import case_search_attributes
from tests.workflows.harness import PublishedEvents, Sources, case_worker, eventually, routed_case

# A workflow task is kept alive past 80% of its timeout while a local activity runs: 1 s, and an activity of 1.5 s.
TASK_TIMEOUT = timedelta(seconds=1)
SLOW_SECONDS = 1.5


class SlowStart(DeadlineActivities):
    @activity.defn(name="start_case")
    async def start_case(self, request: CaseStartRequest) -> CaseStart:
        await asyncio.sleep(SLOW_SECONDS)
        return await super().start_case(request)


class SlowSources(Sources):
    def activities(self) -> DeadlineActivities:
        return SlowStart(calendar=lambda: self.calendar, policy=lambda: self.policy)


class ReplayedEvents(Interceptor):
    """The case events a replaying worker would publish: what its steps hand to `publish_case_changes`."""

    def __init__(self) -> None:
        self.events: list[CaseEvent] = []

    def workflow_interceptor_class(self, input: WorkflowInterceptorClassInput) -> type[WorkflowInboundInterceptor]:
        events = self.events

        class Outbound(WorkflowOutboundInterceptor):
            def start_local_activity(self, input: StartLocalActivityInput) -> ActivityHandle[Any]:
                if input.activity == "publish_case_changes" and isinstance(input.args[0], CaseChanges):
                    events.extend(input.args[0].events)
                return super().start_local_activity(input)

        class Inbound(WorkflowInboundInterceptor):
            def init(self, outbound: WorkflowOutboundInterceptor) -> None:
                super().init(Outbound(outbound))

        return Inbound


async def test_a_replayed_case_tells_the_times_it_published_after_a_slow_local_activity(
    env: WorkflowEnvironment, published: PublishedEvents
) -> None:
    case = routed_case(received_at=await env.get_current_time())
    async with case_worker(env, published, SlowSources()) as queue:
        handle = await env.client.start_workflow(
            WORKFLOW_TYPE,
            case,
            id=workflow_id_for(case.case_id),
            task_queue=queue,
            task_timeout=TASK_TIMEOUT,
            search_attributes=case_search_attributes(case),
        )

        async def unit_told() -> None:
            assert any(e.case_id == case.case_id and e.kind is EventKind.CASE_ASSIGNED for e in published.events)

        await eventually(unit_told, "the first-contact unit is told of its new case")

        async def opened() -> WorkflowHistory:
            # The opening's two local activities (policy and deadlines; the publishing) are in the history.
            history = await handle.fetch_history()
            assert sum(e.event_type == EventType.EVENT_TYPE_MARKER_RECORDED for e in history.events) == 2
            return history

        history = await eventually(opened, "the opening recorded in the case's history")

    replayed = ReplayedEvents()
    await Replayer(
        workflows=WORKFLOWS,
        data_converter=pydantic_data_converter,
        interceptors=[replayed],
        workflow_runner=UnsandboxedWorkflowRunner(),
    ).replay_workflow(history, raise_on_replay_failure=False)

    live = [(event.kind, event.at) for event in published.log_of(case.case_id)]
    assert [(event.kind, event.at) for event in replayed.events] == live
