"""Wait for an effect instead of sleeping a fixed time."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def assert_eventually(
    check: Callable[[], Awaitable[T]], *, timeout: float = 20.0, interval: float = 0.1, what: str = ""
) -> T:
    """Call `check` until it returns without AssertionError (its value is returned) or `timeout` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return await check()
        except AssertionError:
            if time.monotonic() > deadline:
                raise AssertionError(f"not true after {timeout}s: {what}") from None
        await asyncio.sleep(interval)
