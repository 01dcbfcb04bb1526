"""Starting a workflow exactly once per message: a redelivered message finds it already started."""

from __future__ import annotations

from typing import Any

import structlog
from nats.aio.msg import Msg
from prometheus_client import Counter
from temporalio.client import Client
from temporalio.common import TypedSearchAttributes, WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCError

from services.contracts.subjects import CASE_TASK_QUEUE
from services.engines.pull_consumer import Outcome, RetryPolicy


async def start_once(
    client: Client,
    workflow: Any,
    argument: Any,
    *,
    workflow_id: str,
    search_attributes: TypedSearchAttributes,
    msg: Msg,
    retry: RetryPolicy,
    starts: Counter,
    log: structlog.typing.FilteringBoundLogger,
) -> Outcome:
    """Start `workflow` under `workflow_id` (reject-duplicate); ack a duplicate, retry a passing failure."""
    try:
        await client.start_workflow(
            workflow,
            argument,
            id=workflow_id,
            task_queue=CASE_TASK_QUEUE,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
            id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
            search_attributes=search_attributes,
        )
    except WorkflowAlreadyStartedError:
        starts.labels("duplicate").inc()
        log.info("workflow.already_started", workflow_id=workflow_id)
        return Outcome.ack()
    except RPCError as exc:
        attempt = msg.metadata.num_delivered or 1
        log.warning("workflow.start_failed", workflow_id=workflow_id, error=str(exc), attempt=attempt)
        return Outcome.retry(retry.delay(attempt), str(exc))
    starts.labels("started").inc()
    log.info("workflow.started", workflow_id=workflow_id)
    return Outcome.ack()
