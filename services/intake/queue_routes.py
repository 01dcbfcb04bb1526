"""`GET /v1/queue`: the open cases a unit handles (from Temporal visibility, so no personal data is read)."""

from __future__ import annotations

import re
from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel

from services.contracts import search_attributes as sa
from services.contracts.case_workflow import WORKFLOW_TYPE
from services.contracts.credentials import ClientKind
from services.contracts.tickets import CODE_PATTERN
from services.intake.auth import Caller, refuse, require_kind
from services.intake.dependencies import Services
from services.intake.error_handlers import ERROR_RESPONSES

router = APIRouter(prefix="/v1/queue", tags=["cases"], responses=ERROR_RESPONSES)
MAX_QUEUE = 500


class QueueEntry(BaseModel):
    case_id: str
    status: str | None
    catalog_item: str | None
    township: str | None
    resolution_deadline: datetime | None
    overdue: bool
    escalation_level: int


@router.get("")
async def my_queue(services: Services, caller: Caller) -> list[QueueEntry]:
    """The calling unit's open cases (as handling unit), overdue first, then by resolution deadline."""
    require_kind(caller, ClientKind.UNIT, action="read a unit's queue")
    if not re.fullmatch(CODE_PATTERN, caller.subject):  # it goes into the visibility query as a literal
        raise refuse(403, "subject", "this key does not name a unit code", client=caller.client_id)
    query = f"WorkflowType = '{WORKFLOW_TYPE}' AND ExecutionStatus = 'Running' AND HandlingUnit = '{caller.subject}'"
    entries: list[QueueEntry] = []
    async for execution in services.cases.client.list_workflows(query, limit=MAX_QUEUE):
        attributes = execution.typed_search_attributes
        entries.append(
            QueueEntry(
                case_id=attributes.get(sa.CASE_ID) or execution.id.removeprefix("case-"),
                status=attributes.get(sa.CASE_STATUS),
                catalog_item=attributes.get(sa.CATALOG_ITEM),
                township=attributes.get(sa.TOWNSHIP),
                resolution_deadline=attributes.get(sa.RESOLUTION_DEADLINE),
                overdue=bool(attributes.get(sa.OVERDUE)),
                escalation_level=attributes.get(sa.ESCALATION_LEVEL) or 0,
            )
        )
    far = datetime.max.replace(tzinfo=None)
    return sorted(
        entries,
        key=lambda e: (not e.overdue, (e.resolution_deadline.replace(tzinfo=None) if e.resolution_deadline else far)),
    )
