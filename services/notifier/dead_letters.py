"""The dead-letter stream: events whose delivery ran out of its retry budget, with what went wrong."""

from __future__ import annotations

import structlog
from nats.js import JetStreamContext
from prometheus_client import Counter

from services.contracts.notifications import NotificationRecord
from services.contracts.subjects import NOTIFY_DEAD_STREAM, dead_letter_subject
from services.engines.message_tracing import publish_traced

log = structlog.get_logger(__name__)

DEAD_LETTERS = Counter(
    "hotline_notifier_dead_letters_total", "Events dead-lettered after their retry budget, by kind.", ["kind"]
)


class DeadLetters:
    def __init__(self, js: JetStreamContext) -> None:
        self._js = js

    async def bury(self, record: NotificationRecord) -> None:
        event = record.event
        await publish_traced(
            self._js,
            dead_letter_subject(event.unit, event.kind.value),
            record.model_dump_json().encode(),
            stream=NOTIFY_DEAD_STREAM.name,
            headers={"Nats-Msg-Id": f"{event.event_id}:dead:{record.redeliveries}"},
            case_id=event.case_id,
        )
        DEAD_LETTERS.labels(event.kind.value).inc()
        log.error(
            "notification.dead_lettered",
            case_id=event.case_id,
            unit=event.unit,
            event_id=event.event_id,
            attempts=len(record.attempts),
            last_error=record.last_error,
        )
