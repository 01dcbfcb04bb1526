"""Publishing one notification on the bus: `notify.<unit>.<kind>` in stream NOTIFY, the event id as its
`Nats-Msg-Id`, so a retried publish of the same event is dropped by JetStream (and by the notifier after that)."""

from __future__ import annotations

from nats.js import JetStreamContext

from services.contracts.events import NotificationEvent
from services.contracts.subjects import NOTIFY_STREAM, notify_subject
from services.engines.message_tracing import publish_traced


async def publish_notification(js: JetStreamContext, event: NotificationEvent) -> bool:
    """Publish the event; False when JetStream already held it (a duplicate of an earlier publish)."""
    ack = await publish_traced(
        js,
        notify_subject(event.unit, event.kind.value),
        event.model_dump_json().encode(),
        stream=NOTIFY_STREAM.name,
        headers={"Nats-Msg-Id": event.event_id},
        case_id=event.case_id,
    )
    return not ack.duplicate
