"""`/v1/notifications`: what was sent to whom, how often it was tried, and redelivery on request."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status
from pydantic import BaseModel

from services.contracts.credentials import ClientKind
from services.contracts.notifications import DeliveryStatus, NotificationRecord, NotificationSummary
from services.contracts.problem_codes import ProblemCode
from services.engines.notification_store import republish
from services.intake.auth import Caller, require_kind
from services.intake.dependencies import Services
from services.intake.error_handlers import ERROR_RESPONSES
from services.intake.errors import NotFound

OVERSEERS = (ClientKind.COORDINATION, ClientKind.ADMIN, ClientKind.OPERATOR)
router = APIRouter(prefix="/v1/notifications", tags=["notifications"], responses=ERROR_RESPONSES)


class Redelivery(BaseModel):
    event_id: str
    status: DeliveryStatus = DeliveryStatus.PENDING


@router.get("")
async def list_notifications(
    services: Services,
    caller: Caller,
    case_id: Annotated[str, Query(pattern=r"^[0-9a-f-]{36}$", description="The case whose events to list.")],
    status_: Annotated[DeliveryStatus | None, Query(alias="status")] = None,
) -> list[NotificationSummary]:
    """A case's events in order: status (delivered, retrying, no_channel, dead), attempts and last error."""
    require_kind(caller, *OVERSEERS, action="read delivery records")
    records = await services.notifications.for_case(case_id)
    return [NotificationSummary.of(r) for r in records if status_ is None or r.status is status_]


@router.get("/{event_id}")
async def get_notification(event_id: str, services: Services, caller: Caller) -> NotificationRecord:
    """One event with every delivery attempt."""
    require_kind(caller, *OVERSEERS, action="read delivery records")
    record = await services.notifications.get(event_id)
    if record is None:
        raise NotFound(f"no notification {event_id}", code=ProblemCode.NOTIFICATION_NOT_FOUND)
    return record


@router.post("/{event_id}/redeliver", status_code=status.HTTP_202_ACCEPTED)
async def redeliver(event_id: str, services: Services, caller: Caller) -> Redelivery:
    """Send the event again (after a dead letter, or to a unit that has just set a channel)."""
    require_kind(caller, *OVERSEERS, action="redeliver notifications")
    record = await services.notifications.get(event_id)
    if record is None:
        raise NotFound(f"no notification {event_id}", code=ProblemCode.NOTIFICATION_NOT_FOUND)
    await republish(services.js, record.event, reason="redeliver", attempt=record.redeliveries + 1)
    return Redelivery(event_id=event_id)
