"""An open-loop load driver: fires at a fixed rate whatever the answers' latency, as platforms do.

A closed loop (wait for one answer before the next) would slow down with the system under test and hide its
queueing; here a slow system shows as growing latency, which is what the steps are looking for.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

T = TypeVar("T")


async def fire_at_rate(rate: float, seconds: float, fire: Callable[[int], Coroutine[Any, Any, T]]) -> list[T]:
    """Call `fire(i)` for i = 0 .. rate*seconds-1 at `rate` per second, concurrently; the results in order."""
    count = max(1, round(rate * seconds))
    started = time.perf_counter()
    tasks: list[asyncio.Task[T]] = []
    for index in range(count):
        delay = started + index / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(fire(index)))
    return list(await asyncio.gather(*tasks))
