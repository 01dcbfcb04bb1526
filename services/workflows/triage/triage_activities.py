"""Activities of a `TriageCase` after the decision: keep it for curation, then publish the case as routed."""

from __future__ import annotations

import structlog
from nats.js import JetStreamContext
from nats.js.kv import KeyValue
from prometheus_client import Counter
from temporalio import activity

from services.contracts.case_ids import routed_msg_id
from services.contracts.cases import RoutedCase
from services.contracts.subjects import CASE_ROUTING_STREAM, routed_subject
from services.contracts.triage import TriageDecisionRecord
from services.engines.message_tracing import publish_traced

log = structlog.get_logger(__name__)

TRIAGE_DECISIONS = Counter(
    "hotline_triage_decisions_total", "Triage decisions handed on as routed cases, by chosen item.", ["item"]
)


class TriageActivities:
    """Constructed with its JetStream context and the `triage_decisions` bucket (tests hand it real ones)."""

    def __init__(self, js: JetStreamContext, decisions: KeyValue) -> None:
        self._js = js
        self._decisions = decisions

    @activity.defn(name="record_triage_decision")
    async def record_triage_decision(self, record: TriageDecisionRecord) -> None:
        """Keep the decision under its case id (a retry writes the same record again)."""
        await self._decisions.put(record.case_id, record.model_dump_json().encode())
        log.info(
            "triage.decision_recorded",
            case_id=record.case_id,
            unit=record.handling_unit,
            item=record.chosen_item,
            original_item=record.original_item,
        )

    @activity.defn(name="publish_routed_case")
    async def publish_routed_case(self, routed: RoutedCase) -> None:
        """Publish on `cases.routed.<unit>` with msg id `routed:<case_id>`, as the router does for a placed case."""
        unit = routed.routing.unit
        if unit is None:
            raise ValueError(f"routed case {routed.case_id} names no unit")
        ack = await publish_traced(
            self._js,
            routed_subject(unit),
            routed.model_dump_json().encode(),
            stream=CASE_ROUTING_STREAM.name,
            headers={"Nats-Msg-Id": routed_msg_id(routed.case_id)},
            case_id=routed.case_id,
        )
        if not ack.duplicate:
            TRIAGE_DECISIONS.labels(routed.routing.item or "").inc()
        log.info("triage.case_routed", case_id=routed.case_id, unit=unit, duplicate=bool(ack.duplicate))
