"""The assessment service's one activity of publishing: a notification event on `notify.<recipient>.<kind>`."""

from __future__ import annotations

import structlog
from nats.js import JetStreamContext
from prometheus_client import Counter
from temporalio import activity

from services.contracts.events import NotificationEvent
from services.engines.notify_publisher import publish_notification

log = structlog.get_logger(__name__)

NOTICES_PUBLISHED = Counter(
    "hotline_assessment_notices_published_total",
    "Notifications the assessment service published (classes of cases, rectifications), by kind.",
    ["kind"],
)


class NoticeActivities:
    """Constructed with its JetStream context (in tests: a fake registered by the activity's name)."""

    def __init__(self, js: JetStreamContext) -> None:
        self._js = js

    @activity.defn(name="publish_notification")
    async def publish_notification(self, event: NotificationEvent) -> None:
        """Publish the event; its id de-duplicates a retried publish (`Nats-Msg-Id`) and the notifier's delivery."""
        new = await publish_notification(self._js, event)
        if new:
            NOTICES_PUBLISHED.labels(event.kind.value).inc()
        log.info(
            "assessment.notice_published",
            subject_id=event.case_id,
            unit=event.unit,
            kind=event.kind.value,
            event_id=event.event_id,
            duplicate=not new,
        )
