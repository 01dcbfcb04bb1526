"""Watches `notify.*.case_assigned` on NATS: when each case's unit was told, as the notifier will see it."""

from __future__ import annotations

import json

import nats
from nats.aio.client import Client as Nats
from nats.aio.msg import Msg

from bench.arrivals import Arrivals
from services.contracts.events import EventKind
from services.contracts.subjects import NOTIFY_PREFIX


class AssignedWatch:
    """`published` holds when the first `case_assigned` event of each case was published."""

    def __init__(self) -> None:
        self.published = Arrivals()
        self._nc: Nats | None = None

    async def start(self, url: str) -> None:
        self._nc = await nats.connect(url)
        await self._nc.subscribe(f"{NOTIFY_PREFIX}.*.{EventKind.CASE_ASSIGNED.value}", cb=self._seen)

    async def stop(self) -> None:
        if self._nc is not None:
            await self._nc.drain()

    async def _seen(self, msg: Msg) -> None:
        self.published.record(json.loads(msg.data)["case_id"])
