"""Reads and writes recipients' delivery channels in the `unit_channels` KV bucket."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from nats.js.errors import KeyNotFoundError
from nats.js.kv import KeyValue

from services.contracts.unit_channels import UnitChannels


class UnitChannelStore:
    def __init__(self, bucket: KeyValue) -> None:
        self._bucket = bucket

    async def get(self, unit: str) -> UnitChannels:
        try:
            entry = await self._bucket.get(unit)
        except KeyNotFoundError:
            return UnitChannels(unit=unit)
        return UnitChannels.model_validate_json(entry.value or b"{}")

    async def set_channel(self, unit: str, channel: str, value: dict[str, Any] | None) -> UnitChannels:
        """Set (or with `None` remove) one channel, keeping the others; takes effect without a restart."""
        channels = await self.get(unit)
        setting = {**value, "updated_at": datetime.now(UTC)} if value is not None else None
        channels = UnitChannels.model_validate({**channels.model_dump(), channel: setting})
        await self._bucket.put(unit, channels.model_dump_json().encode())
        return channels
