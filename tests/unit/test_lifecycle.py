"""`keep_running`: a background watch that fails is logged, counted and started again, until the service stops."""

from __future__ import annotations

import asyncio

import pytest
from structlog.testing import capture_logs

from services.engines.lifecycle import BACKGROUND_RESTARTS, keep_running


def restarts(task: str) -> float:
    return BACKGROUND_RESTARTS.labels(task)._value.get()


async def test_a_failing_task_is_started_again_until_it_runs_to_the_stop() -> None:
    stop, third_run = asyncio.Event(), asyncio.Event()
    runs = 0

    async def watch() -> None:
        nonlocal runs
        runs += 1
        if runs <= 2:
            raise ConnectionError(f"nats went away ({runs})")
        third_run.set()
        await stop.wait()

    before = restarts("flaky-watch")
    with capture_logs() as logs:
        task = asyncio.create_task(keep_running("flaky-watch", watch, stop=stop, first_wait_seconds=0.01))
        await asyncio.wait_for(third_run.wait(), 1)
        stop.set()
        await asyncio.wait_for(task, 1)

    assert runs == 3
    assert restarts("flaky-watch") - before == 2
    failures = [entry for entry in logs if entry["event"] == "background_task.failed"]
    assert [f["error"] for f in failures] == [
        "ConnectionError('nats went away (1)')",
        "ConnectionError('nats went away (2)')",
    ]
    assert {f["task"] for f in failures} == {"flaky-watch"}


async def test_a_stop_during_the_wait_ends_it_at_once_without_another_run() -> None:
    stop, ran = asyncio.Event(), asyncio.Event()
    runs = 0

    async def watch() -> None:
        nonlocal runs
        runs += 1
        ran.set()
        raise RuntimeError("broken")

    task = asyncio.create_task(keep_running("broken-watch", watch, stop=stop, first_wait_seconds=30))
    await asyncio.wait_for(ran.wait(), 1)
    stop.set()
    await asyncio.wait_for(task, 1)  # not the 30 s wait

    assert runs == 1


async def test_a_task_that_ends_by_itself_is_not_started_again() -> None:
    runs = 0

    async def once() -> None:
        nonlocal runs
        runs += 1

    await asyncio.wait_for(keep_running("one-shot", once, stop=asyncio.Event()), 1)

    assert runs == 1


async def test_cancelling_it_is_not_taken_for_a_failure() -> None:
    async def forever() -> None:
        await asyncio.Event().wait()

    before = restarts("cancelled-watch")
    task = asyncio.create_task(keep_running("cancelled-watch", forever, stop=asyncio.Event()))
    await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert restarts("cancelled-watch") == before
