"""Consumes received tickets and publishes each as a routed case (or to triage), exactly once per case."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import structlog
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.errors import KeyNotFoundError
from nats.js.kv import KeyValue
from prometheus_client import Counter
from pydantic import ValidationError

from services.contracts.case_ids import routed_msg_id
from services.contracts.case_index import CaseIndexRecord
from services.contracts.cases import CaseStatus, ReceivedTicket, RoutedCase
from services.contracts.catalog import ResponsibilityCatalog
from services.contracts.subjects import CASE_ROUTING_STREAM, TRIAGE_SUBJECT, routed_subject
from services.engines.pull_consumer import Outcome
from services.router.routing import route_ticket

log = structlog.get_logger(__name__)

ROUTED = Counter(
    "hotline_router_cases_total",
    "Cases routed, by method and destination (unit or triage).",
    ["method", "destination"],
)


class CaseRouter:
    """Handler for the `router` consumer on `cases.intake.>`."""

    def __init__(
        self, *, js: JetStreamContext, case_index: KeyValue, catalog: Callable[[], ResponsibilityCatalog]
    ) -> None:
        self._js = js
        self._case_index = case_index
        self._catalog = catalog

    async def handle(self, msg: Msg) -> Outcome:
        try:
            received = ReceivedTicket.model_validate_json(msg.data)
        except ValidationError as exc:
            return Outcome.give_up(f"unreadable ticket on {msg.subject}: {exc.error_count()} errors")
        decision = route_ticket(received.ticket, self._catalog())
        routed = RoutedCase(
            case_id=received.case_id, received_at=received.received_at, ticket=received.ticket, routing=decision
        )
        subject = routed_subject(decision.unit) if decision.unit else TRIAGE_SUBJECT
        # The msg id makes a redelivered intake message harmless: JetStream drops the second publish.
        await self._js.publish(
            subject,
            routed.model_dump_json().encode(),
            stream=CASE_ROUTING_STREAM.name,
            headers={"Nats-Msg-Id": routed_msg_id(received.case_id)},
        )
        if decision.unit is None:
            await self._mark_triage(routed)
        ROUTED.labels(decision.method.value, "unit" if decision.unit else "triage").inc()
        log.info(
            "case.routed",
            case_id=received.case_id,
            unit=decision.unit,
            item=decision.item,
            method=decision.method.value,
            reason=decision.reason,
        )
        return Outcome.ack()

    async def _mark_triage(self, routed: RoutedCase) -> None:
        """Record on the case index that the case waits for triage, so `GET /v1/cases/{id}` says so."""
        try:
            entry = await self._case_index.get(routed.case_id)
            record = CaseIndexRecord.model_validate_json(entry.value or b"{}")
        except KeyNotFoundError:
            record = CaseIndexRecord.from_received(routed.case_id, routed.ticket, routed.received_at)
        record = record.model_copy(
            update={"status": CaseStatus.TRIAGE, "routing": routed.routing, "updated_at": datetime.now(UTC)}
        )
        await self._case_index.put(routed.case_id, record.model_dump_json().encode())
