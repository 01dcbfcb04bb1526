"""Accepts a ticket exactly once: published to JetStream, then recorded under its case id in the `case_index`
bucket for the platforms' retry horizon; a resubmission after that is recognised by the case records."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import nats.errors
import structlog
from nats.js import JetStreamContext
from nats.js.errors import KeyNotFoundError, KeyWrongLastSequenceError
from nats.js.kv import KeyValue
from prometheus_client import Counter, Histogram
from tenacity import AsyncRetrying, retry_if_exception_type, stop_after_delay, wait_exponential

from services.contracts.case_ids import case_id_for, intake_msg_id
from services.contracts.case_index import CaseIndexRecord
from services.contracts.cases import ReceivedTicket
from services.contracts.subjects import CASE_INTAKE_STREAM, intake_subject
from services.contracts.tickets import Ticket, TicketReceipt
from services.engines.message_tracing import publish_traced
from services.intake.bus_errors import NATS_UNAVAILABLE
from services.intake.case_records import CaseRecords, RecordsUnavailable

log = structlog.get_logger(__name__)

T = TypeVar("T")


async def while_the_bus_recovers(call: Callable[[], Awaitable[T]], *, seconds: float, attempt_seconds: float) -> T:
    """`call`, each time given `attempt_seconds`, tried again for up to `seconds` while NATS does not answer: a NATS
    server's death (its clients reconnect to another; a request caught on the dead connection never gets its answer)
    or a stream's leader election lasts a second or two, and a platform told 503 must come back later. Past the
    budget, or on any other error, the error goes up (the handlers answer 503 for the bus's)."""
    async for attempt in AsyncRetrying(
        stop=stop_after_delay(seconds),
        wait=wait_exponential(multiplier=0.05, max=0.5),
        retry=retry_if_exception_type(NATS_UNAVAILABLE),
        reraise=True,
    ):
        with attempt:
            try:
                async with asyncio.timeout(attempt_seconds):
                    return await call()
            except TimeoutError as exc:
                if isinstance(exc, nats.errors.TimeoutError):
                    raise
                raise nats.errors.TimeoutError from exc  # the bus's, so retried, then a 503
    raise AssertionError("unreachable")


TICKETS = Counter(
    "hotline_intake_tickets_total",
    "Tickets submitted, by channel and result (created, duplicate, unavailable: 503 while the records are down).",
    ["channel", "result"],
)
RECORDS_LOOKUPS = Counter(
    "hotline_intake_records_lookups_total",
    "Tickets missing from case_index that were reported longer ago than its keys live, looked up in the case "
    "records, by result: found (a resubmission after its key expired: 200), absent (a late first submission: 202), "
    "unavailable (the database did not answer in time: 503).",
    ["result"],
)
RECORDS_LOOKUP_SECONDS = Histogram(
    "hotline_intake_records_lookup_seconds",
    "Time to look a ticket's case up in the case records, in seconds (answered or not).",
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)


def could_be_expired(reported_at: datetime, *, now: datetime, key_lifetime: timedelta) -> bool:
    """Whether an earlier submission of a ticket reported at `reported_at` can have had its index key expire by
    `now`: its key was written when it was received, no earlier than it was reported, and lives `key_lifetime`.

    If not, a missing key means the ticket is new (or its first submission stopped between the publish and the key):
    only the other tickets are looked up in the case records.
    """
    return now - reported_at >= key_lifetime


class TicketIntake:
    def __init__(
        self,
        *,
        js: JetStreamContext,
        case_index: KeyValue,
        records: CaseRecords,
        key_lifetime: timedelta,
        publish_timeout: float,
        records_timeout: float,
        bus_retry_seconds: float = 0.0,
    ) -> None:
        self._js = js
        self._bus_retry_seconds = bus_retry_seconds
        self._case_index = case_index
        self._records = records
        self._key_lifetime = key_lifetime
        self._publish_timeout = publish_timeout
        self._records_timeout = records_timeout

    async def submit(self, ticket: Ticket, *, calling_unit: str | None = None) -> tuple[TicketReceipt, bool]:
        """Return the receipt and whether this call created the case (False: a resubmission).

        `calling_unit`: the unit whose call this is (township and key-work calls), part of the case's identity.

        Order matters: the ticket is in JetStream (acked) before the create-only index key is written, so a
        202 is never given for a ticket that is not stored, and a crash between the two steps makes the
        platform's retry finish the job (JetStream drops the repeated publish by its msg id).
        A ticket missing from the index whose key may have expired is looked up in the case records; should they not
        answer, `RecordsUnavailable` (503): it may be a resubmission, and only the records could tell.
        """
        case_id = case_id_for(ticket.channel, ticket.external_id, calling_unit=calling_unit)
        receipt = TicketReceipt(case_id=case_id)
        bound = log.bind(case_id=case_id, channel=ticket.channel.value, unit=calling_unit)
        if await while_the_bus_recovers(
            lambda: self._in_index(case_id), seconds=self._bus_retry_seconds, attempt_seconds=self._publish_timeout
        ):
            TICKETS.labels(ticket.channel.value, "duplicate").inc()
            bound.info("ticket.duplicate", found_in="index")
            return receipt, False
        expired = could_be_expired(ticket.reported_at, now=datetime.now(UTC), key_lifetime=self._key_lifetime)
        if expired and await self._in_records(case_id, ticket, bound):
            TICKETS.labels(ticket.channel.value, "duplicate").inc()
            bound.info("ticket.duplicate", found_in="records")
            return receipt, False
        received_at = datetime.now(UTC)
        received = ReceivedTicket(case_id=case_id, received_at=received_at, ticket=ticket, calling_unit=calling_unit)
        msg_id = intake_msg_id(ticket.channel, ticket.external_id, calling_unit=calling_unit)
        # Again on a passing failure: the message id makes a repeated publish a duplicate JetStream drops.
        ack = await while_the_bus_recovers(
            lambda: publish_traced(
                self._js,
                intake_subject(ticket.channel),
                received.model_dump_json().encode(),
                stream=CASE_INTAKE_STREAM.name,
                timeout=self._publish_timeout,
                headers={"Nats-Msg-Id": msg_id},
                case_id=case_id,
            ),
            seconds=self._bus_retry_seconds,
            attempt_seconds=self._publish_timeout,
        )
        record = CaseIndexRecord.from_received(case_id, ticket, received_at, calling_unit=calling_unit)
        try:
            await self._case_index.create(case_id, record.model_dump_json().encode())
        except KeyWrongLastSequenceError:
            # A concurrent submission of the same ticket won the race: same case, nothing new.
            TICKETS.labels(ticket.channel.value, "duplicate").inc()
            bound.info("ticket.duplicate", raced=True)
            return receipt, False
        TICKETS.labels(ticket.channel.value, "created").inc()
        bound.info("ticket.received", stream_seq=ack.seq, republished=bool(ack.duplicate))
        return receipt, True

    async def _in_index(self, case_id: str) -> bool:
        try:
            await self._case_index.get(case_id)
        except KeyNotFoundError:
            return False
        return True

    async def _in_records(self, case_id: str, ticket: Ticket, bound: structlog.typing.FilteringBoundLogger) -> bool:
        """Whether the case records hold the case; `RecordsUnavailable` if they do not answer in time."""
        began = time.perf_counter()
        try:
            async with asyncio.timeout(self._records_timeout):
                found = await self._records.exists(case_id)
        except (RecordsUnavailable, TimeoutError) as exc:
            RECORDS_LOOKUP_SECONDS.observe(time.perf_counter() - began)
            RECORDS_LOOKUPS.labels("unavailable").inc()
            TICKETS.labels(ticket.channel.value, "unavailable").inc()
            bound.warning(
                "ticket.records_unavailable",
                reason="timeout" if isinstance(exc, TimeoutError) else "error",
                reported_at=ticket.reported_at.isoformat(),
            )
            raise RecordsUnavailable(
                "the case records did not answer, and this ticket was reported longer ago than resubmissions are "
                "kept in the message bus: it may be one; try again shortly"
            ) from exc
        RECORDS_LOOKUP_SECONDS.observe(time.perf_counter() - began)
        RECORDS_LOOKUPS.labels("found" if found else "absent").inc()
        return found
