"""Delivers each notification event to its recipient's channels (or a platform's callback URL), reliably.

Per delivery: channels already delivered are not sent again; failures are retried with exponential backoff and
jitter until the retry budget runs out, then the event goes to the dead-letter stream. Every attempt is
recorded. A recipient with no channel gets its events parked, visible, and sent once it sets one.
"""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime

import structlog
from nats.aio.msg import Msg
from prometheus_client import Counter, Histogram

from services.contracts.events import Audience, NotificationEvent
from services.contracts.notifications import ChannelDelivery, DeliveryAttempt, DeliveryStatus, NotificationRecord
from services.contracts.payload_keys import PayloadKeyring
from services.contracts.unit_channels import UnitChannels
from services.engines.held_bucket import HeldBucket
from services.engines.notification_store import REDELIVERY_HEADER, NotificationStore
from services.engines.pull_consumer import Outcome, RetryPolicy
from services.engines.sealed_data import UnsealError, unseal
from services.notifier.callback_order import CallbackOrder, Turn
from services.notifier.channels.base import Channel, Delivery, DeliveryResult
from services.notifier.dead_letters import DeadLetters
from services.notifier.media_links import MediaLinks
from services.notifier.parked_events import ParkedEvents
from services.notifier.platform_callback import PlatformCallback
from services.notifier.rendering import TemplateRenderer

log = structlog.get_logger(__name__)

DELIVERIES = Counter(
    "hotline_notifier_delivery_attempts_total",
    "Delivery attempts, by channel and result (delivered, failed, no_channel, waiting, held: not attempted, the "
    "receiver's circuit breaker is open).",
    ["channel", "result"],
)

DELIVERY_SECONDS = Histogram(
    "hotline_notifier_delivery_seconds",
    "Time one channel's delivery attempt took (a receiver's answer, an SMTP exchange), by channel; held ones not.",
    ["channel"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)

UNSEAL_FAILURES = Counter(
    "hotline_notifier_unseal_failures_total",
    "Sealed ticket texts this notifier could not open (a key it lacks): sent without the address and description.",
)


class EventDelivery:
    """Handler for the `notifier` consumer on `notify.>` (one consumer group across notifier instances)."""

    def __init__(
        self,
        *,
        channels: HeldBucket[UnitChannels],
        store: NotificationStore,
        order: CallbackOrder,
        parked: ParkedEvents,
        dead_letters: DeadLetters,
        unit_channels: list[Channel],
        callback: PlatformCallback,
        renderer: TemplateRenderer,
        keyring: PayloadKeyring,
        retry: RetryPolicy,
        budget_seconds: float,
        ordered_wait_seconds: float,
        media: MediaLinks | None = None,
    ) -> None:
        self._media = media
        self._channels = channels
        self._store = store
        self._order = order
        self._parked = parked
        self._dead_letters = dead_letters
        self._unit_channels = unit_channels
        self._callback = callback
        self._renderer = renderer
        self._keyring = keyring
        self._retry = retry
        self._budget = budget_seconds
        self._ordered_wait = ordered_wait_seconds

    async def handle(self, msg: Msg) -> Outcome:
        event = NotificationEvent.model_validate_json(msg.data)
        redelivery = bool(msg.headers and msg.headers.get(REDELIVERY_HEADER))
        record = await self._store.get(event.event_id) or NotificationRecord(event=event)
        if record.status is DeliveryStatus.DELIVERED and not redelivery:
            return Outcome.ack()  # a duplicate of a delivered event
        if redelivery and record.status is not DeliveryStatus.RETRYING:
            record = NotificationRecord(event=event, attempts=record.attempts, redeliveries=record.redeliveries + 1)
        if event.audience is Audience.PLATFORM:
            return await self._deliver_callback(event, record, ordered=not redelivery)
        return await self._deliver_to_channels(event, record)

    async def _deliver_to_channels(self, event: NotificationEvent, record: NotificationRecord) -> Outcome:
        channels = await self._channels.get(event.unit)
        targets = [c for c in self._unit_channels if channels is not None and c.configured(channels)]
        if channels is None or not targets:
            record.status = DeliveryStatus.NO_CHANNEL
            await self._store.put(record)
            await self._parked.park(event)
            DELIVERIES.labels("none", "no_channel").inc()
            log.warning("notification.no_channel", case_id=event.case_id, unit=event.unit, event_id=event.event_id)
            return Outcome.ack()
        pending = [
            c for c in targets if record.channels.get(c.name, ChannelDelivery()).status is not DeliveryStatus.DELIVERED
        ]
        delivery = self._opened(event, channels)
        results = await asyncio.gather(*(self._attempt(channel, delivery) for channel in pending))
        for channel, result in zip(pending, results, strict=True):
            self._note(record, channel.name, result)
        return await self._settle(record, all(r.delivered for r in results), held=_held_for(results))

    def _opened(self, event: NotificationEvent, channels: UnitChannels) -> Delivery:
        """The delivery, with the address and description the event carries sealed opened for it (never stored);
        without them if they cannot be opened here (the message still goes: its deadlines matter more, and the unit
        reads the ticket through the API)."""
        media = tuple(self._media.for_event(event)) if self._media is not None else ()
        delivery = Delivery(event=event, channels=channels, renderer=self._renderer, media=media)
        if event.sealed_ticket is None:
            return delivery
        try:
            personal = unseal(event.sealed_ticket, self._keyring)
        except UnsealError as exc:
            UNSEAL_FAILURES.inc()
            log.error("notification.unseal_failed", case_id=event.case_id, event_id=event.event_id, error=str(exc))
            return delivery
        return Delivery(
            event=event.model_copy(update={"address": personal.address}),
            channels=channels,
            renderer=self._renderer,
            description=personal.description or None,
            media=media,
        )

    async def _deliver_callback(
        self, event: NotificationEvent, record: NotificationRecord, *, ordered: bool
    ) -> Outcome:
        if event.callback_url is None:
            record.status = DeliveryStatus.NO_CHANNEL
            await self._store.put(record)
            return Outcome.ack()
        turn = await self._order.turn(event) if ordered else Turn.NOW
        if turn is Turn.DONE:
            return Outcome.ack()
        if turn is Turn.WAIT:
            # An earlier status of this case has not been acknowledged yet: this one must not overtake it.
            DELIVERIES.labels("callback", "waiting").inc()
            return Outcome.retry(self._ordered_wait, "waiting for an earlier callback of the case")
        channels = await self._channels.get(event.unit)
        started = time.perf_counter()
        media = self._media.for_event(event) if self._media is not None else []
        result = await self._callback.deliver(event, channels, media)
        if result.held_seconds is None:
            DELIVERY_SECONDS.labels("callback").observe(time.perf_counter() - started)
        self._note(record, "callback", result)
        if result.delivered:
            await self._order.sent(event)
        return await self._settle(record, result.delivered, held=_held_for([result]))

    async def _attempt(self, channel: Channel, delivery: Delivery) -> DeliveryResult:
        """One channel's attempt; an error in it (a city template naming a field events lack) is its failure alone."""
        started = time.perf_counter()
        try:
            result = await channel.deliver(delivery)
            if result.held_seconds is None:
                DELIVERY_SECONDS.labels(channel.name).observe(time.perf_counter() - started)
            return result
        except Exception as exc:
            # Raised out of the gather, it would discard the other channels' results: one already delivered would
            # be sent again on every retry, and nothing would be recorded or ever dead-lettered.
            log.exception(
                "notification.channel_failed",
                case_id=delivery.event.case_id,
                unit=delivery.event.unit,
                event_id=delivery.event.event_id,
                channel=channel.name,
            )
            return DeliveryResult(False, f"{type(exc).__name__}: {exc}"[:500])

    def _note(self, record: NotificationRecord, channel: str, result: DeliveryResult) -> None:
        now = datetime.now(UTC)
        record.first_attempt_at = record.first_attempt_at or now
        if result.held_seconds is not None:
            # Not an attempt: the receiver's breaker held it. The budget still runs from the first attempt.
            record.channels.setdefault(channel, ChannelDelivery()).last_error = result.detail
            DELIVERIES.labels(channel, "held").inc()
            return
        record.last_attempt_at = now
        record.attempts.append(DeliveryAttempt(at=now, channel=channel, ok=result.delivered, detail=result.detail))
        state = record.channels.setdefault(channel, ChannelDelivery())
        state.attempts += 1
        if result.delivered:
            state.status, state.delivered_at, state.last_error = DeliveryStatus.DELIVERED, now, None
        else:
            state.status, state.last_error = DeliveryStatus.RETRYING, result.detail
        DELIVERIES.labels(channel, "delivered" if result.delivered else "failed").inc()
        log.log(
            20 if result.delivered else 30,
            "notification.attempt",
            case_id=record.event.case_id,
            unit=record.event.unit,
            event_id=record.event.event_id,
            channel=channel,
            delivered=result.delivered,
            detail=result.detail,
        )

    async def _settle(self, record: NotificationRecord, delivered: bool, *, held: float | None = None) -> Outcome:
        event = record.event
        if delivered:
            record.status = DeliveryStatus.DELIVERED
            await self._store.put(record)
            return Outcome.ack()
        assert record.first_attempt_at is not None
        waited = (datetime.now(UTC) - record.first_attempt_at).total_seconds()
        if waited >= self._budget:
            record.status = DeliveryStatus.DEAD
            await self._store.put(record)
            await self._dead_letters.bury(record)
            if event.audience is Audience.PLATFORM:
                await self._order.sent(event)  # later statuses of the case may go; this one waits for redelivery
            return Outcome.ack()
        record.status = DeliveryStatus.RETRYING
        await self._store.put(record)
        if held is not None:
            # Every channel still owed was held by its receiver's breaker: come back at the next probe.
            return Outcome.retry(min(held, max(1.0, self._budget - waited)), "receiver's circuit breaker is open")
        attempts = max(state.attempts for state in record.channels.values())
        return Outcome.retry(min(self._retry.delay(attempts), max(1.0, self._budget - waited)), record.last_error or "")


def _held_for(results: list[DeliveryResult]) -> float | None:
    """When every undelivered result was held by a breaker, how long until the soonest probe; else None."""
    undelivered = [result for result in results if not result.delivered]
    if not undelivered or any(result.held_seconds is None for result in undelivered):
        return None
    return min(result.held_seconds for result in undelivered if result.held_seconds is not None)
