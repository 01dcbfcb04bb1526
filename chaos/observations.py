"""What the suite reads from outside the services: Temporal's visibility and JetStream's consumer backlog."""

from __future__ import annotations

from collections import Counter

import nats
from temporalio.client import Client

from services.contracts import search_attributes as sa
from services.contracts.case_workflow import WORKFLOW_TYPE
from services.contracts.subjects import CASE_STARTER_CONSUMER, NOTIFIER_CONSUMER, ROUTER_CONSUMER

BACKLOG_CONSUMERS = (ROUTER_CONSUMER, CASE_STARTER_CONSUMER, NOTIFIER_CONSUMER)


async def case_workflows(client: Client) -> Counter[str]:
    """Executions of the case workflow per case id (search attribute `CaseId`), every run of every id counted."""
    per_case: Counter[str] = Counter()
    async for execution in client.list_workflows(f"WorkflowType = '{WORKFLOW_TYPE}'"):
        case_id = execution.typed_search_attributes.get(sa.CASE_ID) or execution.id.removeprefix("case-")
        per_case[case_id] += 1
    return per_case


async def consumer_backlog(nats_url: str) -> dict[str, int]:
    """Messages each pipeline consumer has not finished with (not yet delivered, or delivered and not acked)."""
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        backlog: dict[str, int] = {}
        for spec in BACKLOG_CONSUMERS:
            info = await js.consumer_info(spec.stream.name, spec.durable)
            backlog[spec.durable] = int(info.num_pending or 0) + int(info.num_ack_pending or 0)
        return backlog
    finally:
        await nc.close()
