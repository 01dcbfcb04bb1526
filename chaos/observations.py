"""What the suite reads from Temporal's visibility, outside the services (the consumers' backlog: tests/support)."""

from __future__ import annotations

from collections import Counter

from temporalio.client import Client

from services.contracts import search_attributes as sa
from services.contracts.case_workflow import WORKFLOW_TYPE


async def case_workflows(client: Client) -> Counter[str]:
    """Executions of the case workflow per case id (search attribute `CaseId`), every run of every id counted."""
    per_case: Counter[str] = Counter()
    async for execution in client.list_workflows(f"WorkflowType = '{WORKFLOW_TYPE}'"):
        case_id = execution.typed_search_attributes.get(sa.CASE_ID) or execution.id.removeprefix("case-")
        per_case[case_id] += 1
    return per_case
