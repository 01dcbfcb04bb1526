"""Consumes received tickets and publishes each as a routed case (or to triage), exactly once per case."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import structlog
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.errors import KeyNotFoundError
from nats.js.kv import KeyValue
from prometheus_client import Counter, Histogram

from services.contracts.case_ids import routed_msg_id, triage_msg_id
from services.contracts.case_index import CaseIndexRecord
from services.contracts.cases import CaseStatus, ReceivedTicket, RoutedCase, RoutingMethod
from services.contracts.catalog import ResponsibilityCatalog
from services.contracts.subjects import CASE_ROUTING_STREAM, TRIAGE_SUBJECT, routed_subject
from services.engines.pull_consumer import Outcome
from services.router.routing import RoutingTables, TextClassifier, route_ticket

log = structlog.get_logger(__name__)

INDEX_WAIT_SECONDS = 0.5
INDEX_WAIT_ATTEMPTS = 10

ROUTED = Counter(
    "hotline_router_cases_total",
    "Cases routed, by method and destination (unit or triage).",
    ["method", "destination"],
)
TEXT_CONFIDENCE = Histogram(
    "hotline_router_text_confidence_ratio",
    "Confidence of the text classifier's best item for tickets routed by text (0 to 1).",
    buckets=(0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 1.0),
)


class CaseRouter:
    """Handler for the `router` consumer on `cases.intake.>`."""

    def __init__(
        self,
        *,
        js: JetStreamContext,
        case_index: KeyValue,
        catalog: Callable[[], ResponsibilityCatalog],
        classifier: Callable[[], TextClassifier] | None = None,
        tables: RoutingTables | None = None,
    ) -> None:
        self._js = js
        self._case_index = case_index
        self._catalog = catalog
        self._classifier = classifier
        self._tables = tables or RoutingTables()

    async def handle(self, msg: Msg) -> Outcome:
        # An unreadable payload raises ValidationError: the consumer loop terminates the message.
        received = ReceivedTicket.model_validate_json(msg.data)
        classifier = self._classifier() if self._classifier is not None else None
        decision = route_ticket(
            received.ticket,
            self._catalog(),
            tables=self._tables,
            classifier=classifier,
            calling_unit=received.calling_unit,
        )
        routed = RoutedCase(
            case_id=received.case_id,
            received_at=received.received_at,
            ticket=received.ticket,
            routing=decision,
            calling_unit=received.calling_unit,
        )
        if decision.unit is not None:
            subject, msg_id = routed_subject(decision.unit), routed_msg_id(received.case_id)
        else:
            # Its own msg id: the routed publish after the triage decision (`routed:<id>`) must not be dropped.
            subject, msg_id = TRIAGE_SUBJECT, triage_msg_id(received.case_id)
        # The msg id makes a redelivered intake message harmless: JetStream drops the second publish.
        await self._js.publish(
            subject, routed.model_dump_json().encode(), stream=CASE_ROUTING_STREAM.name, headers={"Nats-Msg-Id": msg_id}
        )
        if decision.unit is None and not await self._mark_triage(routed, attempt=msg.metadata.num_delivered or 1):
            # Intake writes the case's index record right after its publish is acknowledged: wait for it, so the
            # platform's first answer stays 202 (the record is intake's to create).
            return Outcome.retry(INDEX_WAIT_SECONDS, "case index record not written yet")
        ROUTED.labels(decision.method.value, "unit" if decision.unit else "triage").inc()
        if decision.method is RoutingMethod.TEXT and decision.confidence is not None:
            TEXT_CONFIDENCE.observe(decision.confidence)
        log.info(
            "case.routed",
            case_id=received.case_id,
            unit=decision.unit,
            item=decision.item,
            method=decision.method.value,
            reason=decision.reason,
            confidence=decision.confidence,
        )
        return Outcome.ack()

    async def _mark_triage(self, routed: RoutedCase, *, attempt: int) -> bool:
        """Record on the case index that the case waits for triage, so `GET /v1/cases/{id}` says so.

        False while intake has not written the record yet; after a few tries (intake died between its publish and
        its write) the router writes it, so the case is never invisible.
        """
        try:
            entry = await self._case_index.get(routed.case_id)
            record = CaseIndexRecord.model_validate_json(entry.value or b"{}")
        except KeyNotFoundError:
            if attempt < INDEX_WAIT_ATTEMPTS:
                return False
            record = CaseIndexRecord.from_received(
                routed.case_id, routed.ticket, routed.received_at, calling_unit=routed.calling_unit
            )
        record = record.model_copy(
            update={
                "status": CaseStatus.TRIAGE,
                "routing": routed.routing,
                "township": routed.routing.township or record.township,
                "updated_at": datetime.now(UTC),
            }
        )
        await self._case_index.put(routed.case_id, record.model_dump_json().encode())
        return True
