"""Delivery records of notification events in NATS KV, and re-publishing an event for another delivery.

The notifier writes the records; intake reads them (`GET /v1/notifications`) and asks for redelivery.
"""

from __future__ import annotations

from nats.js import JetStreamContext
from nats.js.errors import InvalidKeyError, KeyNotFoundError
from nats.js.kv import KeyValue

from services.contracts.events import NotificationEvent
from services.contracts.notifications import NotificationRecord, record_key
from services.contracts.subjects import NOTIFY_STREAM, notify_subject
from services.engines.jetstream import kv_entries
from services.engines.message_tracing import publish_traced

# A republished event skips the per-case order check of platform callbacks: someone asked for it again.
REDELIVERY_HEADER = "Hotline-Redelivery"
MAX_ATTEMPTS_KEPT = 50


class NotificationStore:
    def __init__(self, bucket: KeyValue) -> None:
        self._bucket = bucket

    async def get(self, event_id: str) -> NotificationRecord | None:
        try:
            entry = await self._bucket.get(record_key(event_id))
        except (KeyNotFoundError, InvalidKeyError):  # an event id no KV key can hold names no event
            return None
        return NotificationRecord.model_validate_json(entry.value or b"{}")

    async def put(self, record: NotificationRecord) -> None:
        record.attempts = record.attempts[-MAX_ATTEMPTS_KEPT:]
        await self._bucket.put(record_key(record.event.event_id), record.model_dump_json().encode())

    async def for_case(self, case_id: str) -> list[NotificationRecord]:
        """Every record of a case, in the order its events happened."""
        entries = await kv_entries(self._bucket, f"{case_id}.>")
        records = [NotificationRecord.model_validate_json(entry.value or b"{}") for entry in entries]
        return sorted(records, key=lambda r: (r.event.occurred_at, r.event.sequence))


async def republish(js: JetStreamContext, event: NotificationEvent, *, reason: str, attempt: int) -> None:
    """Publish the event again on its subject; the receiver still sees the same event id (its idempotency key)."""
    await publish_traced(
        js,
        notify_subject(event.unit, event.kind.value),
        event.model_dump_json().encode(),
        stream=NOTIFY_STREAM.name,
        headers={"Nats-Msg-Id": f"{event.event_id}:{reason}:{attempt}", REDELIVERY_HEADER: reason},
        case_id=event.case_id,
    )
