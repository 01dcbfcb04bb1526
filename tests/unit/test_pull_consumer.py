"""How the consumer loop settles a message: ack after the work, term the unreadable, nak with backoff on failure; and
says it is still working while a handler takes longer than a third of the ack wait."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import nats.errors
from pydantic import BaseModel

from services.contracts.subjects import ROUTER_CONSUMER
from services.engines.pull_consumer import Outcome, RetryPolicy, _handle, _still_working


class Ticketish(BaseModel):
    case_id: str


@dataclass
class Metadata:
    num_delivered: int = 3


@dataclass
class FakeMsg:
    """Records how the loop settled it (the real Msg sends ack/nak/term to the server)."""

    data: bytes
    subject: str = "cases.intake.12345"
    metadata: Metadata = field(default_factory=Metadata)
    headers: dict[str, str] | None = None
    settled: list[tuple[str, float | None]] = field(default_factory=list)

    async def ack(self) -> None:
        self.settled.append(("ack", None))

    async def nak(self, delay: float | None = None) -> None:
        self.settled.append(("nak", delay))

    async def term(self) -> None:
        self.settled.append(("term", None))

    async def in_progress(self) -> None:
        self.settled.append(("in progress", None))


async def reads_a_ticket(msg: FakeMsg) -> Outcome:
    Ticketish.model_validate_json(msg.data)
    return Outcome.ack()


async def fails(msg: FakeMsg) -> Outcome:
    raise RuntimeError("the engine is down")


async def test_a_readable_message_is_acked_after_the_handler() -> None:
    msg = FakeMsg(b'{"case_id": "c1"}')
    await _handle(msg, ROUTER_CONSUMER, reads_a_ticket, RetryPolicy())  # type: ignore[arg-type]
    assert msg.settled == [("ack", None)]


async def test_an_unreadable_message_is_terminated_not_retried() -> None:
    msg = FakeMsg(b'{"case": 1}')
    await _handle(msg, ROUTER_CONSUMER, reads_a_ticket, RetryPolicy())  # type: ignore[arg-type]
    assert msg.settled == [("term", None)]


async def test_a_failing_handler_is_retried_with_backoff_for_its_attempt() -> None:
    msg = FakeMsg(b"{}")
    await _handle(msg, ROUTER_CONSUMER, fails, RetryPolicy(base_seconds=1, max_seconds=60))  # type: ignore[arg-type]
    [(verdict, delay)] = msg.settled
    assert verdict == "nak" and delay is not None and 2 <= delay <= 4  # third attempt: ceiling 4 s, jitter down to half


def takes(seconds: float) -> asyncio.Future[Outcome]:
    async def handler() -> Outcome:
        await asyncio.sleep(seconds)
        return Outcome.ack()

    return asyncio.ensure_future(handler())


async def test_a_quick_handler_sends_no_progress() -> None:
    msg = FakeMsg(b"{}")
    assert await _still_working(msg, takes(0.01), every=0.2) == Outcome.ack()  # type: ignore[arg-type]
    assert msg.settled == []


async def test_a_slow_handler_says_it_is_still_working_every_interval() -> None:
    msg = FakeMsg(b"{}")
    assert await _still_working(msg, takes(0.35), every=0.1) == Outcome.ack()  # type: ignore[arg-type]
    assert msg.settled.count(("in progress", None)) >= 2  # at 0.1, 0.2 (and 0.3) s
    assert set(msg.settled) == {("in progress", None)}  # settling is `_handle`'s, not this


async def test_progress_lost_with_the_connection_does_not_end_the_handler() -> None:
    class Disconnected(FakeMsg):
        async def in_progress(self) -> None:
            raise nats.errors.ConnectionClosedError

    assert await _still_working(Disconnected(b"{}"), takes(0.25), every=0.1) == Outcome.ack()  # type: ignore[arg-type]


async def test_a_cancelled_loop_cancels_the_handler() -> None:
    handling = takes(10)
    working = asyncio.ensure_future(_still_working(FakeMsg(b"{}"), handling, every=0.1))  # type: ignore[arg-type]
    await asyncio.sleep(0.05)
    working.cancel()
    await asyncio.gather(working, return_exceptions=True)
    assert handling.cancelled()
