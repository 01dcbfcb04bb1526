"""Consumes notification events and delivers each to its unit's channels, retrying with backoff."""

from __future__ import annotations

import structlog
from nats.aio.msg import Msg
from nats.js.errors import KeyNotFoundError
from nats.js.kv import KeyValue
from prometheus_client import Counter
from pydantic import ValidationError

from services.contracts.events import NotificationEvent
from services.contracts.unit_channels import UnitChannels
from services.engines.pull_consumer import Outcome, RetryPolicy
from services.notifier.webhook import WebhookSender

log = structlog.get_logger(__name__)

DELIVERIES = Counter(
    "hotline_notifier_delivery_attempts_total",
    "Delivery attempts, by channel and result (delivered, failed, no_channel).",
    ["channel", "result"],
)


class EventDelivery:
    """Handler for the `notifier` consumer on `notify.>`."""

    def __init__(self, *, channels: KeyValue, webhook: WebhookSender, retry: RetryPolicy) -> None:
        self._channels = channels
        self._webhook = webhook
        self._retry = retry

    async def handle(self, msg: Msg) -> Outcome:
        try:
            event = NotificationEvent.model_validate_json(msg.data)
        except ValidationError as exc:
            return Outcome.give_up(f"unreadable event on {msg.subject}: {exc.error_count()} errors")
        attempt = msg.metadata.num_delivered or 1
        bound = log.bind(case_id=event.case_id, unit=event.unit, event_id=event.event_id, attempt=attempt)
        channels = await self._unit_channels(event.unit)
        if channels is None or channels.webhook is None:
            # Kept in the stream, not dropped: delivered once the unit configures a channel.
            DELIVERIES.labels("none", "no_channel").inc()
            bound.warning("notification.no_channel")
            return Outcome.retry(self._retry.max_seconds, "unit has no delivery channel")
        result = await self._webhook.deliver(event, channels.webhook.url)
        if result.delivered:
            DELIVERIES.labels("webhook", "delivered").inc()
            bound.info("notification.delivered", channel="webhook", kind=event.kind.value)
            return Outcome.ack()
        DELIVERIES.labels("webhook", "failed").inc()
        delay = self._retry.delay(attempt)
        bound.warning("notification.delivery_failed", channel="webhook", error=result.detail, retry_in=round(delay, 2))
        return Outcome.retry(delay, result.detail)

    async def _unit_channels(self, unit: str) -> UnitChannels | None:
        try:
            entry = await self._channels.get(unit)
        except KeyNotFoundError:
            return None
        return UnitChannels.model_validate_json(entry.value or b"{}")
