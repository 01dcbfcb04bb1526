"""Run a service's main coroutine until SIGTERM or Ctrl-C, then let it drain."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable

import uvloop

Main = Callable[[asyncio.Event], Awaitable[None]]


def run_until_stopped(main: Main) -> None:
    """Run `main(stop)` on uvloop; `stop` is set on SIGINT/SIGTERM so the service can drain and exit."""

    async def runner() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await main(stop)

    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner_:
        runner_.run(runner())
