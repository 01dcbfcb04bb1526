"""Delivery records of notification events in NATS KV, and re-publishing an event for another delivery.

The notifier writes the records; intake reads them (`GET /v1/notifications`) and asks for redelivery.
"""

from __future__ import annotations

import nats.errors
from nats.js import JetStreamContext
from nats.js.errors import InvalidKeyError, KeyNotFoundError
from nats.js.kv import KeyValue

from services.contracts.events import NotificationEvent
from services.contracts.notifications import NotificationRecord, record_key
from services.contracts.subjects import NOTIFY_STREAM, notify_subject

# A republished event skips the per-case order check of platform callbacks: someone asked for it again.
REDELIVERY_HEADER = "Hotline-Redelivery"
MAX_ATTEMPTS_KEPT = 50


async def keys_matching(bucket: KeyValue, pattern: str, *, timeout: float = 5.0) -> list[str]:
    """Keys of the bucket matching a subject pattern (`<case_id>.>`), filtered by the server.

    Not `KeyValue.keys(filters=…)`: nats-py matches those filters as substrings of every key of the bucket, so a
    wildcard pattern matches nothing.
    """
    watcher = await bucket.watch(pattern, ignore_deletes=True, meta_only=True)
    keys: list[str] = []
    try:
        while True:
            try:
                entry = await watcher.updates(timeout=timeout)  # type: ignore[no-untyped-call]
            except nats.errors.TimeoutError:
                break  # the end-of-values marker never came: what arrived is all there is
            if entry is None:  # no more values: later changes are not wanted
                break
            keys.append(entry.key)
    finally:
        await watcher.stop()  # type: ignore[no-untyped-call]
    return keys


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
        records = []
        for key in await keys_matching(self._bucket, f"{case_id}.>"):
            try:
                entry = await self._bucket.get(key)
            except KeyNotFoundError:
                continue
            records.append(NotificationRecord.model_validate_json(entry.value or b"{}"))
        return sorted(records, key=lambda r: (r.event.occurred_at, r.event.sequence))


async def republish(js: JetStreamContext, event: NotificationEvent, *, reason: str, attempt: int) -> None:
    """Publish the event again on its subject; the receiver still sees the same event id (its idempotency key)."""
    await js.publish(
        notify_subject(event.unit, event.kind.value),
        event.model_dump_json().encode(),
        stream=NOTIFY_STREAM.name,
        headers={"Nats-Msg-Id": f"{event.event_id}:{reason}:{attempt}", REDELIVERY_HEADER: reason},
    )
