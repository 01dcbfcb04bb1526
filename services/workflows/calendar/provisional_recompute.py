"""After a holiday schedule is loaded: signal every open case with provisional deadlines to count them again."""

from __future__ import annotations

import structlog
from prometheus_client import Counter
from temporalio.client import Client

from services.contracts.case_workflow import WORKFLOW_TYPE, CaseSignal

log = structlog.get_logger(__name__)

RECOMPUTES = Counter("hotline_provisional_recomputes_total", "Open cases asked to recount provisional deadlines.")

OPEN_PROVISIONAL = f"WorkflowType = '{WORKFLOW_TYPE}' AND ExecutionStatus = 'Running' AND ProvisionalDeadline = true"


async def recompute_provisional_deadlines(client: Client) -> int:
    """Signal each open case whose deadlines are provisional; returns how many were signalled."""
    signalled = 0
    async for execution in client.list_workflows(OPEN_PROVISIONAL):
        await client.get_workflow_handle(execution.id).signal(CaseSignal.RECOMPUTE_DEADLINES.value)
        signalled += 1
    RECOMPUTES.inc(signalled)
    log.info("calendar.provisional_recomputed", cases=signalled)
    return signalled
