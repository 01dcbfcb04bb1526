"""The workflow starter: one workflow per message, started once; a redelivered message finds it already started.

One handler, parameterised by a `StartSpec` (which consumer, which workflow, its id, its first search attributes,
its metric); two specs: `CASE_START` (`FirstContactCase` for `cases.routed.*`) and `TRIAGE_START` (`TriageCase` for
`cases.triage`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import structlog
from nats.aio.msg import Msg
from prometheus_client import Counter
from temporalio.client import Client
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError
from temporalio.types import MethodAsyncSingleParam

from services.contracts import search_attributes as sa
from services.contracts.case_ids import triage_workflow_id, workflow_id_for
from services.contracts.cases import CaseStatus, RoutedCase
from services.contracts.subjects import (
    CASE_STARTER_CONSUMER,
    CASE_TASK_QUEUE,
    TRIAGE_STARTER_CONSUMER,
    ConsumerSpec,
)
from services.engines.pull_consumer import DEFAULT_RETRY, Outcome, RetryPolicy
from services.workflows.case.first_contact_case import FirstContactCase
from services.workflows.triage.triage_case import TriageCase
from services.workflows.web_ui_summaries import case_summary, triage_summary

log = structlog.get_logger(__name__)

CASE_STARTS = Counter(
    "hotline_case_workflow_starts_total",
    "Routed cases handled by the case starter, by result (started, duplicate).",
    ["result"],
)
TRIAGE_STARTS = Counter(
    "hotline_triage_workflow_starts_total",
    "Cases sent to triage handled by the triage starter, by result (started, duplicate).",
    ["result"],
)


@dataclass(frozen=True)
class StartSpec:
    """What one durable consumer starts: the workflow, under which id, with which search attributes."""

    consumer: ConsumerSpec
    # Its run method takes the routed case (FirstContactCase's input adds what a continued run carries).
    workflow: MethodAsyncSingleParam[Any, Any, Any]
    workflow_id: Callable[[str], str]
    search_attributes: Callable[[RoutedCase], TypedSearchAttributes]
    # The Web UI's one line for it, with no personal data (`web_ui_summaries`).
    summary: Callable[[RoutedCase], str]
    starts: Counter
    # Why a message can never start its workflow (the message is terminated), or None.
    refusal: Callable[[RoutedCase], str | None] | None = None


class WorkflowStarter:
    """Handler for one starter consumer (`spec.consumer`): ack after the start, ack a duplicate, nak a failure."""

    def __init__(self, client: Client, spec: StartSpec, *, retry: RetryPolicy = DEFAULT_RETRY) -> None:
        self._client = client
        self._spec = spec
        self._retry = retry

    @property
    def consumer(self) -> ConsumerSpec:
        return self._spec.consumer

    async def handle(self, msg: Msg) -> Outcome:
        """Start the message's workflow under its id (reject-duplicate); a duplicate is acked, a passing failure
        retried with backoff."""
        spec = self._spec
        # An unreadable payload raises ValidationError: the consumer loop terminates the message.
        routed = RoutedCase.model_validate_json(msg.data)
        if spec.refusal is not None and (reason := spec.refusal(routed)) is not None:
            return Outcome.give_up(reason)
        workflow_id = spec.workflow_id(routed.case_id)
        bound = log.bind(case_id=routed.case_id, workflow_id=workflow_id)
        if routed.routing.unit is not None:
            bound = bound.bind(unit=routed.routing.unit)
        try:
            await self._client.start_workflow(
                spec.workflow,
                routed,
                id=workflow_id,
                task_queue=CASE_TASK_QUEUE,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
                search_attributes=spec.search_attributes(routed),
                static_summary=spec.summary(routed),
            )
        except WorkflowAlreadyStartedError:
            spec.starts.labels("duplicate").inc()
            bound.info("workflow.already_started")
            return Outcome.ack()
        except RPCError as exc:
            attempt = msg.metadata.num_delivered or 1
            bound.warning("workflow.start_failed", error=str(exc), attempt=attempt)
            return Outcome.retry(self._retry.delay(attempt), str(exc))
        spec.starts.labels("started").inc()
        bound.info("workflow.started")
        return Outcome.ack()


def case_search_attributes(routed: RoutedCase) -> TypedSearchAttributes:
    """A routed case's, visible in the Web UI from the first moment, before the workflow's first task runs."""
    unit = routed.routing.unit
    assert unit is not None
    pairs: list[SearchAttributePair[Any]] = [
        SearchAttributePair(sa.CASE_ID, routed.case_id),
        SearchAttributePair(sa.CASE_STATUS, CaseStatus.ASSIGNED.value),
        SearchAttributePair(sa.CHANNEL, routed.ticket.channel.value),
        SearchAttributePair(sa.FIRST_CONTACT_UNIT, unit),
        SearchAttributePair(sa.HANDLING_UNIT, unit),
        SearchAttributePair(sa.ESCALATION_LEVEL, 0),
        SearchAttributePair(sa.OVERDUE, False),
    ]
    township = routed.routing.township or routed.ticket.township
    if township:
        pairs.append(SearchAttributePair(sa.TOWNSHIP, township))
    if routed.routing.item:
        pairs.append(SearchAttributePair(sa.CATALOG_ITEM, routed.routing.item))
    return TypedSearchAttributes(pairs)


def triage_search_attributes(routed: RoutedCase) -> TypedSearchAttributes:
    """A case sent to triage's: `CaseStatus = 'triage'` lists the cases waiting for the coordination centre."""
    pairs: list[SearchAttributePair[Any]] = [
        SearchAttributePair(sa.CASE_ID, routed.case_id),
        SearchAttributePair(sa.CASE_STATUS, CaseStatus.TRIAGE.value),
        SearchAttributePair(sa.CHANNEL, routed.ticket.channel.value),
        SearchAttributePair(sa.OVERDUE, False),
    ]
    township = routed.routing.township or routed.ticket.township
    if township:
        pairs.append(SearchAttributePair(sa.TOWNSHIP, township))
    return TypedSearchAttributes(pairs)


def _names_no_unit(routed: RoutedCase) -> str | None:
    return f"routed case {routed.case_id} names no unit" if routed.routing.unit is None else None


# `case-starter` on `cases.routed.>`: one `FirstContactCase` (`case-<case_id>`) per routed case.
CASE_START = StartSpec(
    consumer=CASE_STARTER_CONSUMER,
    workflow=FirstContactCase.run,
    workflow_id=workflow_id_for,
    search_attributes=case_search_attributes,
    summary=case_summary,
    starts=CASE_STARTS,
    refusal=_names_no_unit,
)
# `triage-starter` on `cases.triage`: one `TriageCase` (`triage-<case_id>`) per case sent to triage.
TRIAGE_START = StartSpec(
    consumer=TRIAGE_STARTER_CONSUMER,
    workflow=TriageCase.run,
    workflow_id=triage_workflow_id,
    search_attributes=triage_search_attributes,
    summary=triage_summary,
    starts=TRIAGE_STARTS,
)
STARTS = (CASE_START, TRIAGE_START)
