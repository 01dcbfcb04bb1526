"""Activities: the I/O a case workflow needs (publishing its events and notifications)."""

from __future__ import annotations

import structlog
from nats.js import JetStreamContext
from nats.js.api import PubAck
from prometheus_client import Counter
from pydantic import BaseModel, Field
from temporalio import activity

from services.contracts.case_event_log import CaseEvent, PersonalData, SealedData, case_events_subject
from services.contracts.events import NotificationEvent
from services.contracts.payload_keys import PayloadKeyring
from services.contracts.subjects import CASE_EVENTS_STREAM
from services.engines.message_tracing import publish_traced
from services.engines.notify_publisher import publish_notification
from services.engines.sealed_data import seal

log = structlog.get_logger(__name__)

EVENTS_PUBLISHED = Counter(
    "hotline_notification_events_published_total", "Notification events published, by kind.", ["kind"]
)
CASE_EVENTS_PUBLISHED = Counter(
    "hotline_case_events_published_total", "Case events published on the case event log, by kind.", ["kind"]
)


class CaseChanges(BaseModel):
    """What one step of a case published: its events on the log, in order, then its notifications."""

    events: list[CaseEvent] = Field(default_factory=list)
    personal: PersonalData | None = Field(
        default=None, description="Sealed onto the `received` event here, so the clear text never reaches the bus."
    )
    notifications: list[NotificationEvent] = Field(default_factory=list)
    descriptions: dict[str, str] = Field(
        default_factory=dict,
        description="The ticket's description for the notifications that carry it, by event id: sealed onto them "
        "here (`sealed_ticket`), so the clear text never reaches the bus.",
    )


class NotificationActivities:
    """Constructed with its JetStream context (and the keys that seal personal data) so tests can hand it a real
    one on a test server."""

    def __init__(self, js: JetStreamContext, keyring: PayloadKeyring | None = None) -> None:
        self._js = js
        self._keyring = keyring

    @activity.defn(name="publish_notification")
    async def publish_notification(self, event: NotificationEvent) -> None:
        """Publish an event on `notify.<unit>.<kind>`; the event id de-duplicates a retried publish."""
        new = await publish_notification(self._js, event)
        if new:
            EVENTS_PUBLISHED.labels(event.kind.value).inc()
        log.info(
            "notification.published",
            case_id=event.case_id,
            unit=event.unit,
            kind=event.kind.value,
            event_id=event.event_id,
            duplicate=not new,
        )

    @activity.defn(name="publish_case_changes")
    async def publish_case_changes(self, changes: CaseChanges) -> None:
        """Publish a step's case events (in sequence order) and then its notifications; ids make a retry harmless."""
        # One after the other, each acknowledged before the next: the stream holds a case's events in sequence.
        for event in changes.events:
            ack = await self._publish_case_event(event, changes.personal)
            if not ack.duplicate:
                CASE_EVENTS_PUBLISHED.labels(event.kind).inc()
        for notification in changes.notifications:
            description = changes.descriptions.get(notification.event_id)
            if description is not None or notification.address is not None:
                # The address too: personal data, which the bus holds only sealed.
                personal = PersonalData(description=description or "", address=notification.address)
                notification = notification.model_copy(update={"sealed_ticket": self._seal(personal), "address": None})
            await self.publish_notification(notification)

    def _seal(self, personal: PersonalData) -> SealedData:
        if self._keyring is None:
            raise RuntimeError("personal data to publish but no payload keys to seal it with")
        return seal(personal, self._keyring)

    async def _publish_case_event(self, event: CaseEvent, personal: PersonalData | None) -> PubAck:
        if event.kind == "received" and personal is not None:
            event = event.model_copy(update={"personal": self._seal(personal)})
        return await publish_traced(
            self._js,
            case_events_subject(event.case_id),
            event.model_dump_json().encode(),
            stream=CASE_EVENTS_STREAM.name,
            headers={"Nats-Msg-Id": event.event_id},
            case_id=event.case_id,
        )
