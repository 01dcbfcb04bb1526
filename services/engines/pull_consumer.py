"""The durable pull-consumer loop every service runs: ack after the work, nak with backoff, term the hopeless."""

from __future__ import annotations

import asyncio
import contextlib
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum

import nats.errors
import structlog
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.errors import NotFoundError, ServiceUnavailableError
from opentelemetry.trace import Span, Status, StatusCode
from prometheus_client import Counter, Histogram
from pydantic import ValidationError

from services.contracts.subjects import ConsumerSpec
from services.engines.jetstream import consumer_config
from services.engines.lifecycle import sleep_unless_stopped
from services.engines.message_tracing import consumer_span

log = structlog.get_logger(__name__)

MESSAGES = Counter(
    "hotline_consumer_messages_total",
    "Messages handled by a durable consumer, by outcome (ack, nak, term).",
    ["consumer", "outcome"],
)
HANDLE_SECONDS = Histogram(
    "hotline_consumer_handle_seconds",
    "Time to handle one message, in seconds.",
    ["consumer"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)


class Verdict(StrEnum):
    ACK = "ack"
    NAK = "nak"
    TERM = "term"


@dataclass(frozen=True)
class Outcome:
    verdict: Verdict
    delay_seconds: float | None = None
    reason: str = ""

    @classmethod
    def ack(cls) -> Outcome:
        return cls(Verdict.ACK)

    @classmethod
    def retry(cls, delay_seconds: float, reason: str) -> Outcome:
        return cls(Verdict.NAK, delay_seconds, reason)

    @classmethod
    def give_up(cls, reason: str) -> Outcome:
        return cls(Verdict.TERM, reason=reason)


Handler = Callable[[Msg], Awaitable[Outcome]]


def backoff_seconds(attempt: int, *, base: float, maximum: float) -> float:
    """Exponential backoff with full jitter for the n-th delivery attempt (1-based), in seconds."""
    # A float power with a bounded exponent: `2 ** n` for n > 1023 cannot be made a float and would raise,
    # and JetStream redelivers without limit; by then the ceiling is long since `maximum`.
    ceiling = min(maximum, base * 2.0 ** min(max(0, attempt - 1), 1000))
    return random.uniform(ceiling / 2, ceiling)


@dataclass(frozen=True)
class RetryPolicy:
    base_seconds: float = 1.0
    max_seconds: float = 60.0

    def delay(self, attempt: int) -> float:
        return backoff_seconds(attempt, base=self.base_seconds, maximum=self.max_seconds)


DEFAULT_RETRY = RetryPolicy()


async def run_pull_consumer(
    js: JetStreamContext,
    spec: ConsumerSpec,
    handler: Handler,
    *,
    stop: asyncio.Event,
    batch: int = 64,
    retry: RetryPolicy = DEFAULT_RETRY,
) -> None:
    """Fetch and handle messages until `stop` is set, then finish the ones in hand.

    Up to `batch` messages are handled at once, and more are fetched as soon as any of them is done: a slow message
    (a receiver that takes its whole timeout to fail, a Temporal call under load) holds its own slot, not the
    messages behind it. Handling a fetched batch to its end before the next fetch made every message that arrived
    meanwhile wait for the slowest of the batch.
    """
    sub = await _subscribe(js, spec, stop)
    if sub is None:
        return
    bound = log.bind(consumer=spec.durable, stream=spec.stream.name)
    bound.info("consumer.started", filter_subject=spec.filter_subject)
    in_flight: set[asyncio.Task[None]] = set()
    try:
        while not stop.is_set():
            free = batch - len(in_flight)
            if free <= 0:
                await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
                continue
            try:
                msgs = await sub.fetch(free, timeout=1.0)
            except (nats.errors.TimeoutError, TimeoutError):
                continue
            except (nats.errors.ConnectionClosedError, nats.errors.NoRespondersError, ServiceUnavailableError) as exc:
                bound.warning("consumer.fetch_failed", error=repr(exc))
                await sleep_unless_stopped(stop, 1.0)
                continue
            for msg in msgs:
                task = asyncio.create_task(_handle(msg, spec, handler, retry))
                in_flight.add(task)
                task.add_done_callback(lambda done: _finished(done, in_flight, bound))
    except asyncio.CancelledError:
        for task in in_flight:
            task.cancel()
        raise
    if in_flight:
        await asyncio.wait(in_flight)
    await sub.unsubscribe()
    bound.info("consumer.stopped")


def _finished(
    task: asyncio.Task[None], in_flight: set[asyncio.Task[None]], log: structlog.typing.FilteringBoundLogger
) -> None:
    """A message's slot is free again; an error `_handle` let through is logged (the message is redelivered)."""
    in_flight.discard(task)
    if not task.cancelled() and (error := task.exception()) is not None:
        log.error("consumer.message_failed", error=repr(error))


async def _subscribe(
    js: JetStreamContext, spec: ConsumerSpec, stop: asyncio.Event
) -> JetStreamContext.PullSubscription | None:
    # The stream may not exist yet when this service starts before the one that declares it.
    while not stop.is_set():
        try:
            # Created, or brought to the spec where it exists already (an ack wait or limit changed since it was
            # made; `pull_subscribe` would take an existing durable consumer as it is), then bound to as it now is.
            await js.add_consumer(spec.stream.name, config=consumer_config(spec))
            return await js.pull_subscribe_bind(durable=spec.durable, stream=spec.stream.name)
        except (NotFoundError, nats.errors.TimeoutError, ServiceUnavailableError) as exc:
            log.warning("consumer.subscribe_failed", consumer=spec.durable, error=repr(exc))
            await sleep_unless_stopped(stop, 1.0)
    return None


async def _handle(msg: Msg, spec: ConsumerSpec, handler: Handler, retry: RetryPolicy) -> None:
    consumer = spec.durable
    attempt = msg.metadata.num_delivered if msg.metadata else 1
    # The handling continues the trace of whoever published the message; what the handler publishes or starts
    # carries it on.
    with consumer_span(msg, spec) as span:
        with HANDLE_SECONDS.labels(consumer).time():
            try:
                outcome = await _still_working(msg, handler(msg), every=spec.ack_wait_seconds / 3)
            except ValidationError as exc:
                # A payload that can never be read: retrying will not help.
                outcome = Outcome.give_up(f"unreadable message on {msg.subject}: {exc.error_count()} errors")
            except Exception as exc:
                log.exception("consumer.handler_failed", consumer=consumer, subject=msg.subject, attempt=attempt)
                # The type only: an exception's message may quote the message's personal data, which logs mask.
                span.set_attribute("error.type", type(exc).__qualname__)
                outcome = Outcome.retry(retry.delay(attempt), repr(exc))
        _note_outcome(span, outcome, attempt)
        await _settle(msg, outcome, consumer)
    MESSAGES.labels(consumer, outcome.verdict.value).inc()


async def _settle(msg: Msg, outcome: Outcome, consumer: str) -> None:
    """Ack, nak (with its delay) or term the message as the outcome says."""
    try:
        if outcome.verdict is Verdict.ACK:
            await msg.ack()
        elif outcome.verdict is Verdict.NAK:
            await msg.nak(delay=outcome.delay_seconds)
        else:
            log.error("consumer.message_terminated", consumer=consumer, subject=msg.subject, reason=outcome.reason)
            await msg.term()
    except nats.errors.Error as exc:
        # The ack is lost with the connection: the message is redelivered, and handlers are idempotent.
        log.warning("consumer.ack_failed", consumer=consumer, subject=msg.subject, error=repr(exc))


def _note_outcome(span: Span, outcome: Outcome, attempt: int) -> None:
    if not span.is_recording():
        return
    span.set_attribute("messaging.nats.delivery_attempt", attempt)
    span.set_attribute("hotline.consumer.outcome", outcome.verdict.value)
    # No reason: it may quote the payload (the log line, masked, has it).
    if outcome.verdict is Verdict.TERM:
        span.set_status(Status(StatusCode.ERROR, "message terminated"))


async def _still_working(msg: Msg, handling: Awaitable[Outcome], *, every: float) -> Outcome:
    """The handler's outcome, telling JetStream every `every` seconds until then that the message is being worked on
    (`+WPI`, which restarts its ack wait). So the ack wait can be short, since it bounds how soon the messages of a
    service that crashed come back, and a handler that is merely slow (a Temporal call under load, a receiver taking
    its whole timeout) is not redelivered to another replica meanwhile."""
    task = asyncio.ensure_future(handling)
    try:
        while True:
            done, _ = await asyncio.wait({task}, timeout=every)
            if done:
                return task.result()
            with contextlib.suppress(nats.errors.Error):  # lost with the connection: the message comes back anyway
                await msg.in_progress()
    finally:
        task.cancel()  # only if this was cancelled before the handler was done
