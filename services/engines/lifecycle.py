"""Run a service's main coroutine until SIGTERM or Ctrl-C, then let it drain; keep its background watches running."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Awaitable, Callable

import structlog
import uvloop
from prometheus_client import Counter
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, wait_exponential

Main = Callable[[asyncio.Event], Awaitable[None]]

log = structlog.get_logger(__name__)

BACKGROUND_RESTARTS = Counter(
    "hotline_background_task_restarts_total",
    "Background tasks (KV watches: the catalog in force, held API keys and channels, the calendar) that failed and "
    "were started again, by task.",
    ["task"],
)


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


async def sleep_unless_stopped(stop: asyncio.Event, seconds: float) -> None:
    """Wait `seconds`, or less if `stop` is set meanwhile."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


async def keep_running(
    task: str,
    run: Callable[[], Awaitable[None]],
    *,
    stop: asyncio.Event,
    first_wait_seconds: float = 0.5,
    max_wait_seconds: float = 30.0,
) -> None:
    """Run `run()` until `stop` is set; when it fails, log and count the failure and run it again after a growing
    wait (`first_wait_seconds`, doubling up to `max_wait_seconds`).

    For the watches a service keeps in the background: one that died of an unexpected error (a NATS error while the
    server restarts, a failing callback) would otherwise leave the service serving what it last saw, with no trace
    until its next restart (in intake, a task nobody awaits until shutdown). A watch started again reads the
    stored values afresh, so nothing that changed in between is missed.
    """

    def note(state: RetryCallState) -> None:
        BACKGROUND_RESTARTS.labels(task).inc()
        error = state.outcome.exception() if state.outcome is not None else None
        wait = state.next_action.sleep if state.next_action is not None else 0.0
        log.error("background_task.failed", task=task, error=repr(error), attempt=state.attempt_number, retry_in=wait)

    async for attempt in AsyncRetrying(
        retry=retry_if_exception_type(Exception),
        wait=wait_exponential(multiplier=first_wait_seconds, max=max_wait_seconds),
        before_sleep=note,
        sleep=lambda seconds: sleep_unless_stopped(stop, seconds),
    ):
        with attempt:
            if not stop.is_set():
                await run()
