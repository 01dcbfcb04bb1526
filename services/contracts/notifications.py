"""What the notifier records of each event's delivery, queryable at `GET /v1/notifications?case_id=`."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from services.contracts.events import NotificationEvent


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    RETRYING = "retrying"
    DELIVERED = "delivered"
    NO_CHANNEL = "no_channel"
    DEAD = "dead"


class DeliveryAttempt(BaseModel):
    at: datetime
    channel: str
    ok: bool
    detail: str = ""


class ChannelDelivery(BaseModel):
    status: DeliveryStatus = DeliveryStatus.PENDING
    attempts: int = 0
    last_error: str | None = None
    delivered_at: datetime | None = None


class NotificationRecord(BaseModel):
    """One event and everything that happened while delivering it."""

    event: NotificationEvent
    status: DeliveryStatus = DeliveryStatus.PENDING
    channels: dict[str, ChannelDelivery] = Field(default_factory=dict)
    attempts: list[DeliveryAttempt] = Field(default_factory=list)
    first_attempt_at: datetime | None = None
    last_attempt_at: datetime | None = None
    redeliveries: int = 0

    @property
    def last_error(self) -> str | None:
        failed = [a for a in self.attempts if not a.ok]
        return failed[-1].detail if failed else None


class NotificationSummary(BaseModel):
    """A line of `GET /v1/notifications`: the event, its status, attempts and last error."""

    event_id: str
    case_id: str
    unit: str
    kind: str
    sequence: int
    occurred_at: datetime
    status: DeliveryStatus
    attempts: int
    last_error: str | None
    channels: dict[str, ChannelDelivery]

    @classmethod
    def of(cls, record: NotificationRecord) -> NotificationSummary:
        event = record.event
        return cls(
            event_id=event.event_id,
            case_id=event.case_id,
            unit=event.unit,
            kind=event.kind.value,
            sequence=event.sequence,
            occurred_at=event.occurred_at,
            status=record.status,
            attempts=len(record.attempts),
            last_error=record.last_error,
            channels=record.channels,
        )


def record_key(event_id: str) -> str:
    """KV key of an event's record: `<case_id>.<stream>.<sequence>` (KV keys allow no ':'), listable by case."""
    parts = event_id.split(":")
    case_id, sequence = parts[0], parts[-1]
    stream = parts[1] if len(parts) == 3 else "case"
    return f"{case_id}.{stream}.{sequence}"
