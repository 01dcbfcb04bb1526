"""Activities: the I/O a case workflow needs (publishing notification events)."""

from __future__ import annotations

import structlog
from nats.js import JetStreamContext
from prometheus_client import Counter
from temporalio import activity

from services.contracts.events import NotificationEvent
from services.contracts.subjects import NOTIFY_STREAM, notify_subject

log = structlog.get_logger(__name__)

EVENTS_PUBLISHED = Counter(
    "hotline_notification_events_published_total", "Notification events published, by kind.", ["kind"]
)


class NotificationActivities:
    """Constructed with its JetStream context so tests can hand it a real one on a test server."""

    def __init__(self, js: JetStreamContext) -> None:
        self._js = js

    @activity.defn(name="publish_notification")
    async def publish_notification(self, event: NotificationEvent) -> None:
        """Publish an event on `notify.<unit>.<kind>`; the event id de-duplicates a retried publish."""
        ack = await self._js.publish(
            notify_subject(event.unit, event.kind.value),
            event.model_dump_json().encode(),
            stream=NOTIFY_STREAM.name,
            headers={"Nats-Msg-Id": event.event_id},
        )
        if not ack.duplicate:
            EVENTS_PUBLISHED.labels(event.kind.value).inc()
        log.info(
            "notification.published",
            case_id=event.case_id,
            unit=event.unit,
            kind=event.kind.value,
            event_id=event.event_id,
            duplicate=bool(ack.duplicate),
        )
