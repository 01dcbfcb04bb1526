"""Reads and writes units' delivery channels in the `unit_channels` KV bucket."""

from __future__ import annotations

from datetime import UTC, datetime

from nats.js.errors import KeyNotFoundError
from nats.js.kv import KeyValue

from services.contracts.unit_channels import UnitChannels, WebhookChannel


class UnitChannelStore:
    def __init__(self, bucket: KeyValue) -> None:
        self._bucket = bucket

    async def get(self, unit: str) -> UnitChannels:
        try:
            entry = await self._bucket.get(unit)
        except KeyNotFoundError:
            return UnitChannels(unit=unit)
        return UnitChannels.model_validate_json(entry.value or b"{}")

    async def set_webhook(self, unit: str, url: str | None) -> UnitChannels:
        """Set (or with `None` remove) the unit's webhook, keeping its other channels."""
        channels = await self.get(unit)
        webhook = WebhookChannel(url=url, updated_at=datetime.now(UTC)) if url else None
        channels = channels.model_copy(update={"webhook": webhook})
        await self._bucket.put(unit, channels.model_dump_json().encode())
        return channels
