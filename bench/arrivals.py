"""When each of a step's cases arrived somewhere (a NATS subject, a webhook), and waiting until all have."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterable


class Arrivals:
    """First arrival time (wall clock, seconds) per case id; `wait_for` returns when all the given ids arrived."""

    def __init__(self) -> None:
        self.at: dict[str, float] = {}
        self._changed = asyncio.Event()

    def record(self, case_id: str) -> None:
        if case_id not in self.at:
            self.at[case_id] = time.time()
            self._changed.set()

    async def wait_for(self, case_ids: Iterable[str], *, timeout: float) -> bool:
        """True when every id arrived within `timeout` seconds."""
        wanted = set(case_ids)
        deadline = time.monotonic() + timeout
        while not wanted.issubset(self.at):
            self._changed.clear()
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait(), timeout=remaining)
        return True
