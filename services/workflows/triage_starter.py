"""Starts one `TriageCase` per case sent to triage; a redelivered message finds it already started."""

from __future__ import annotations

from typing import Any

import structlog
from nats.aio.msg import Msg
from prometheus_client import Counter
from pydantic import ValidationError
from temporalio.client import Client
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError

from services.contracts import search_attributes as sa
from services.contracts.case_ids import triage_workflow_id
from services.contracts.cases import CaseStatus, RoutedCase
from services.contracts.subjects import CASE_TASK_QUEUE
from services.engines.pull_consumer import DEFAULT_RETRY, Outcome, RetryPolicy
from services.workflows.triage_case import TriageCase

log = structlog.get_logger(__name__)

STARTS = Counter(
    "hotline_triage_workflow_starts_total",
    "Cases sent to triage handled by the triage starter, by result (started, duplicate).",
    ["result"],
)


class TriageStarter:
    """Handler for the `triage-starter` consumer on `cases.triage`."""

    def __init__(self, client: Client, *, retry: RetryPolicy = DEFAULT_RETRY) -> None:
        self._client = client
        self._retry = retry

    async def handle(self, msg: Msg) -> Outcome:
        try:
            routed = RoutedCase.model_validate_json(msg.data)
        except ValidationError as exc:
            return Outcome.give_up(f"unreadable case for triage on {msg.subject}: {exc.error_count()} errors")
        workflow_id = triage_workflow_id(routed.case_id)
        bound = log.bind(case_id=routed.case_id, workflow_id=workflow_id)
        try:
            await self._client.start_workflow(
                TriageCase.run,
                routed,
                id=workflow_id,
                task_queue=CASE_TASK_QUEUE,
                id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
                search_attributes=_initial_search_attributes(routed),
            )
        except WorkflowAlreadyStartedError:
            STARTS.labels("duplicate").inc()
            bound.info("triage.workflow_already_started")
            return Outcome.ack()
        except RPCError as exc:
            attempt = msg.metadata.num_delivered or 1
            bound.warning("triage.workflow_start_failed", error=str(exc), attempt=attempt)
            return Outcome.retry(self._retry.delay(attempt), str(exc))
        STARTS.labels("started").inc()
        bound.info("triage.workflow_started", reason=routed.routing.reason)
        return Outcome.ack()


def _initial_search_attributes(routed: RoutedCase) -> TypedSearchAttributes:
    """`CaseStatus = 'triage'` lists the cases waiting for the coordination centre."""
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
