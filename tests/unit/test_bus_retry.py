"""Ticket intake tries a publish again while NATS passes through a failure, within its budget, and no other error."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import nats.errors
import nats.js.errors
import pytest

from services.intake.ticket_intake import while_the_bus_recovers


def failing(times: int, error: Exception) -> tuple[Callable[[], Awaitable[str]], list[int]]:
    calls: list[int] = []

    async def call() -> str:
        calls.append(1)
        if len(calls) <= times:
            raise error
        return "acked"

    return call, calls


@pytest.mark.parametrize(
    "error",
    [nats.errors.NoRespondersError(), nats.errors.TimeoutError(), nats.js.errors.NoStreamResponseError()],
)
async def test_a_passing_bus_failure_is_tried_again(error: Exception) -> None:
    call, calls = failing(2, error)
    assert await while_the_bus_recovers(call, seconds=2.0, attempt_seconds=1.0) == "acked"
    assert len(calls) == 3


async def test_past_the_budget_the_bus_error_goes_up() -> None:
    call, calls = failing(10**6, nats.errors.NoRespondersError())
    started = time.monotonic()
    with pytest.raises(nats.errors.NoRespondersError):
        await while_the_bus_recovers(call, seconds=0.3, attempt_seconds=1.0)
    assert 0.3 <= time.monotonic() - started < 1.5
    assert len(calls) > 1


@pytest.mark.parametrize("seconds", [0.0, 2.0])
async def test_another_error_is_not_tried_again(seconds: float) -> None:
    call, calls = failing(1, ValueError("not the bus"))
    with pytest.raises(ValueError, match="not the bus"):
        await while_the_bus_recovers(call, seconds=seconds, attempt_seconds=1.0)
    assert len(calls) == 1


async def test_an_attempt_that_hangs_is_cut_short_and_tried_again() -> None:
    """A request caught on a connection that died never gets its answer: the attempt's own time runs out."""
    calls: list[int] = []

    async def call() -> str:
        calls.append(1)
        if len(calls) == 1:
            await asyncio.sleep(60)
        return "acked"

    started = time.monotonic()
    assert await while_the_bus_recovers(call, seconds=2.0, attempt_seconds=0.2) == "acked"
    assert len(calls) == 2 and time.monotonic() - started < 1.0


async def test_attempts_that_keep_hanging_end_as_the_bus_timing_out() -> None:
    async def call() -> str:
        await asyncio.sleep(60)
        return "never"

    with pytest.raises(nats.errors.TimeoutError):
        await while_the_bus_recovers(call, seconds=0.3, attempt_seconds=0.1)
