"""Consumes received tickets and publishes each as a routed case (or to triage), exactly once per case."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import structlog
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from prometheus_client import Counter, Histogram

from services.contracts.case_ids import routed_msg_id, triage_msg_id
from services.contracts.cases import ReceivedTicket, RoutedCase, RoutingMethod
from services.contracts.catalog import ResponsibilityCatalog
from services.contracts.subjects import CASE_ROUTING_STREAM, TRIAGE_SUBJECT, routed_subject
from services.engines.message_tracing import publish_traced
from services.engines.pull_consumer import Outcome
from services.router.place_index import PlaceIndex
from services.router.routing import RoutingTables, TextClassifier, route_ticket

log = structlog.get_logger(__name__)

ROUTED = Counter(
    "hotline_router_cases_total",
    "Cases routed, by method and destination (unit or triage).",
    ["method", "destination"],
)
LOCATIONS = Counter(
    "hotline_router_locations_total",
    "Tickets with a location, by whether it was found in the district's boundaries (placed) or not: a rising share "
    "of placed=false after an import says the boundaries, or a platform's datum, are wrong.",
    ["placed"],
)
TEXT_CONFIDENCE = Histogram(
    "hotline_router_text_confidence_ratio",
    "Confidence of the text classifier's best item for tickets routed by text (0 to 1).",
    buckets=(0.3, 0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 1.0),
)


class CaseRouter:
    """Handler for the `router` consumer on `cases.intake.>`.

    It writes no record of its own and none of another service's: what it decided travels in the routed case (or
    the case sent to triage), whose workflow is where `GET /v1/cases/{id}` reads it (docs/routing-and-triage.md).
    """

    def __init__(
        self,
        *,
        js: JetStreamContext,
        catalog: Callable[[], ResponsibilityCatalog],
        classifier: Callable[[], TextClassifier] | None = None,
        tables: RoutingTables | None = None,
        places: Callable[[], PlaceIndex] | None = None,
    ) -> None:
        self._js = js
        self._catalog = catalog
        self._classifier = classifier
        self._tables = tables or RoutingTables()
        self._places = places  # the boundaries in force, when they change at run time (else the tables' own)

    async def handle(self, msg: Msg) -> Outcome:
        # An unreadable payload raises ValidationError: the consumer loop terminates the message.
        received = ReceivedTicket.model_validate_json(msg.data)
        classifier = self._classifier() if self._classifier is not None else None
        tables = self._tables if self._places is None else dataclasses.replace(self._tables, places=self._places())
        decision = route_ticket(
            received.ticket,
            self._catalog(),
            tables=tables,
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
        await publish_traced(
            self._js,
            subject,
            routed.model_dump_json().encode(),
            stream=CASE_ROUTING_STREAM.name,
            headers={"Nats-Msg-Id": msg_id},
            case_id=received.case_id,
        )
        ROUTED.labels(decision.method.value, "unit" if decision.unit else "triage").inc()
        if received.ticket.location is not None:
            LOCATIONS.labels("true" if decision.place is not None else "false").inc()
            if decision.place is None:
                # Never the point itself: it may be a caller's home (docs/places.md).
                log.info("case.location_not_placed", case_id=received.case_id, boundaries_version=tables.places.version)
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
