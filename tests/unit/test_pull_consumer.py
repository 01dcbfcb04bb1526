"""How the consumer loop settles a message: ack after the work, term the unreadable, nak with backoff on failure."""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import BaseModel

from services.engines.pull_consumer import Outcome, RetryPolicy, _handle


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
    settled: list[tuple[str, float | None]] = field(default_factory=list)

    async def ack(self) -> None:
        self.settled.append(("ack", None))

    async def nak(self, delay: float | None = None) -> None:
        self.settled.append(("nak", delay))

    async def term(self) -> None:
        self.settled.append(("term", None))


async def reads_a_ticket(msg: FakeMsg) -> Outcome:
    Ticketish.model_validate_json(msg.data)
    return Outcome.ack()


async def fails(msg: FakeMsg) -> Outcome:
    raise RuntimeError("the engine is down")


async def test_a_readable_message_is_acked_after_the_handler() -> None:
    msg = FakeMsg(b'{"case_id": "c1"}')
    await _handle(msg, "router", reads_a_ticket, RetryPolicy())  # type: ignore[arg-type]
    assert msg.settled == [("ack", None)]


async def test_an_unreadable_message_is_terminated_not_retried() -> None:
    msg = FakeMsg(b'{"case": 1}')
    await _handle(msg, "router", reads_a_ticket, RetryPolicy())  # type: ignore[arg-type]
    assert msg.settled == [("term", None)]


async def test_a_failing_handler_is_retried_with_backoff_for_its_attempt() -> None:
    msg = FakeMsg(b"{}")
    await _handle(msg, "router", fails, RetryPolicy(base_seconds=1, max_seconds=60))  # type: ignore[arg-type]
    [(verdict, delay)] = msg.settled
    assert verdict == "nak" and delay is not None and 2 <= delay <= 4  # third attempt: ceiling 4 s, jitter down to half
