"""Accepts a ticket exactly once: published to JetStream, then recorded for ever under its case id."""

from __future__ import annotations

from datetime import UTC, datetime

import structlog
from nats.js import JetStreamContext
from nats.js.errors import KeyNotFoundError, KeyWrongLastSequenceError
from nats.js.kv import KeyValue
from prometheus_client import Counter

from services.contracts.case_ids import case_id_for, intake_msg_id
from services.contracts.case_index import CaseIndexRecord
from services.contracts.cases import ReceivedTicket
from services.contracts.subjects import CASE_INTAKE_STREAM, intake_subject
from services.contracts.tickets import Ticket, TicketReceipt

log = structlog.get_logger(__name__)

TICKETS = Counter("hotline_intake_tickets_total", "Tickets submitted, by channel and result.", ["channel", "result"])


class TicketIntake:
    def __init__(self, *, js: JetStreamContext, case_index: KeyValue, publish_timeout: float) -> None:
        self._js = js
        self._case_index = case_index
        self._publish_timeout = publish_timeout

    async def submit(self, ticket: Ticket, *, calling_unit: str | None = None) -> tuple[TicketReceipt, bool]:
        """Return the receipt and whether this call created the case (False: a resubmission).

        `calling_unit`: the unit whose call this is (township and key-work calls), part of the case's identity.

        Order matters: the ticket is in JetStream (acked) before the create-only index key is written, so a
        202 is never given for a ticket that is not stored, and a crash between the two steps makes the
        platform's retry finish the job (JetStream drops the repeated publish by its msg id).
        """
        case_id = case_id_for(ticket.channel, ticket.external_id, calling_unit=calling_unit)
        receipt = TicketReceipt(case_id=case_id)
        bound = log.bind(case_id=case_id, channel=ticket.channel.value, unit=calling_unit)
        if await self._known(case_id):
            TICKETS.labels(ticket.channel.value, "duplicate").inc()
            bound.info("ticket.duplicate")
            return receipt, False
        received_at = datetime.now(UTC)
        received = ReceivedTicket(case_id=case_id, received_at=received_at, ticket=ticket, calling_unit=calling_unit)
        ack = await self._js.publish(
            intake_subject(ticket.channel),
            received.model_dump_json().encode(),
            stream=CASE_INTAKE_STREAM.name,
            timeout=self._publish_timeout,
            headers={"Nats-Msg-Id": intake_msg_id(ticket.channel, ticket.external_id, calling_unit=calling_unit)},
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

    async def _known(self, case_id: str) -> bool:
        try:
            await self._case_index.get(case_id)
        except KeyNotFoundError:
            return False
        return True
