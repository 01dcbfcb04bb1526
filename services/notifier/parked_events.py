"""Events for a recipient with no channel: kept (and visible), and sent once the recipient sets a channel."""

from __future__ import annotations

import structlog
from nats.js import JetStreamContext
from nats.js.errors import APIError, KeyNotFoundError, KeyWrongLastSequenceError
from nats.js.kv import KeyValue

from services.contracts.events import NotificationEvent
from services.contracts.notifications import record_key
from services.contracts.unit_channels import UnitChannels
from services.engines.jetstream import kv_entries
from services.engines.notification_store import republish

log = structlog.get_logger(__name__)

# JetStream's error code for a failed expected-last-sequence check; nats-py's `KeyValue.delete` raises it as a bare
# `BadRequestError`, not as `KeyWrongLastSequenceError` (only `update` maps it).
WRONG_LAST_SEQUENCE = 10071


class ParkedEvents:
    def __init__(self, bucket: KeyValue, js: JetStreamContext) -> None:
        self._bucket = bucket
        self._js = js

    async def park(self, event: NotificationEvent) -> None:
        await self._bucket.put(f"{event.unit}.{record_key(event.event_id)}", event.model_dump_json().encode())

    async def release(self, unit: str) -> int:
        """Send the unit's parked events again; each is claimed by deleting it, so one instance sends it."""
        released = 0
        for entry in await kv_entries(self._bucket, f"{unit}.>"):
            try:
                await self._bucket.delete(entry.key, last=entry.revision)
            except (KeyNotFoundError, KeyWrongLastSequenceError):
                continue  # another instance took it
            except APIError as exc:
                if exc.err_code != WRONG_LAST_SEQUENCE:
                    raise
                continue  # another instance deleted it between our read and our delete: it sends it
            event = NotificationEvent.model_validate_json(entry.value or b"{}")
            await republish(self._js, event, reason="released", attempt=entry.revision or 0)
            released += 1
        if released:
            log.info("notification.parked_released", unit=unit, events=released)
        return released

    async def release_if_reachable(self, recipient: str, channels: UnitChannels | None) -> int:
        """Release the recipient's parked events when it has a channel (called for each change of its channels)."""
        return await self.release(recipient) if channels is not None and channels.any() else 0
