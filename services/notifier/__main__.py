"""Run the notifier: `python -m services.notifier`."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import structlog

from services.contracts.gc_pauses import observe_gc_pauses
from services.contracts.subjects import (
    CALLBACK_PROGRESS_BUCKET,
    CATALOG_BUCKET,
    DELIVERIES_BUCKET,
    NOTIFIER_CONSUMER,
    PARKED_EVENTS_BUCKET,
    REPORTS_OBJECT_STORE,
    UNIT_CHANNELS_BUCKET,
)
from services.contracts.telemetry import configure_logging
from services.contracts.tracing import configure_tracing
from services.contracts.unit_channels import UnitChannels
from services.engines.catalog_store import CatalogStore
from services.engines.held_bucket import HeldBucket
from services.engines.jetstream import close_nats, key_value, object_store, open_jetstream
from services.engines.lifecycle import keep_running, run_until_stopped
from services.engines.notification_store import NotificationStore
from services.engines.ops_server import serve_ops
from services.engines.pull_consumer import RetryPolicy, run_pull_consumer
from services.notifier.callback_order import CallbackOrder
from services.notifier.channels.email import EmailChannel
from services.notifier.channels.robots import DingTalkChannel, WeComChannel
from services.notifier.channels.sms import SmsChannel
from services.notifier.channels.webhook import WebhookChannel
from services.notifier.dead_letters import DeadLetters
from services.notifier.event_delivery import EventDelivery
from services.notifier.media_links import MediaLinks
from services.notifier.outbound_http import OutboundHttp
from services.notifier.parked_events import ParkedEvents
from services.notifier.platform_callback import PlatformCallback
from services.notifier.receiver_breakers import ReceiverBreakers
from services.notifier.rendering import TemplateRenderer
from services.notifier.report_files import ReportFiles
from services.notifier.settings import NotifierSettings

log = structlog.get_logger("services.notifier")


async def main(stop: asyncio.Event) -> None:
    settings = NotifierSettings()
    configure_logging(service="notifier", level=settings.log_level, json=settings.log_json)
    configure_tracing(
        service="notifier", otlp_endpoint=settings.otlp_endpoint, sample_ratio=settings.trace_sample_ratio
    )
    observe_gc_pauses()
    nc, js = await open_jetstream(settings, name="notifier")

    # Read for every event, changed a few times a year: held in memory, kept current by a watch.
    channels = HeldBucket(
        await key_value(js, UNIT_CHANNELS_BUCKET, replicas=settings.nats_replicas), UnitChannels.model_validate_json
    )
    parked = ParkedEvents(await key_value(js, PARKED_EVENTS_BUCKET, replicas=settings.nats_replicas), js)
    retry = RetryPolicy(base_seconds=settings.retry_base_seconds, max_seconds=settings.retry_max_seconds)
    # Reports' pages and workbooks, which a report's email carries.
    reports = ReportFiles(await object_store(js, REPORTS_OBJECT_STORE, replicas=settings.nats_replicas))
    catalogs = CatalogStore(await key_value(js, CATALOG_BUCKET, replicas=settings.nats_replicas), nc)
    await catalogs.start()

    def unit_name(code: str) -> str:
        unit = catalogs.current().unit(code)
        return unit.name_zh if unit is not None else code

    targets = settings.outbound_targets()
    if settings.sms.url is not None:
        targets = targets.allowing(settings.sms.url)  # the operator's own gateway, not a URL someone gave
    breakers = ReceiverBreakers(
        failures=settings.breaker_failures,
        probe_seconds=settings.breaker_probe_seconds,
        probe_timeout_seconds=settings.webhook_timeout_seconds,
    )
    async with OutboundHttp(
        timeout_seconds=settings.webhook_timeout_seconds, targets=targets, breakers=breakers
    ) as http:
        delivery = EventDelivery(
            channels=channels,
            store=NotificationStore(await key_value(js, DELIVERIES_BUCKET, replicas=settings.nats_replicas)),
            order=CallbackOrder(await key_value(js, CALLBACK_PROGRESS_BUCKET, replicas=settings.nats_replicas)),
            parked=parked,
            dead_letters=DeadLetters(js),
            unit_channels=[
                WebhookChannel(http),
                EmailChannel(settings.smtp, reports),
                DingTalkChannel(http),
                WeComChannel(http),
                SmsChannel(http, settings.sms),
            ],
            callback=PlatformCallback(http),
            renderer=TemplateRenderer(settings.template_dir, names=unit_name),
            keyring=settings.payload_keyring(),
            retry=retry,
            budget_seconds=settings.retry_budget_seconds,
            ordered_wait_seconds=settings.ordered_wait_seconds,
            media=MediaLinks(
                api_url=settings.public_api_url,
                keyring=settings.payload_keyring(),
                lifetime=timedelta(hours=settings.media_link_hours),
            ),
        )
        log.info("notifier.ready", email=settings.smtp.host is not None, sms=settings.sms.url is not None)

        async def health() -> dict[str, bool]:
            return {"nats": nc.is_connected}

        await asyncio.gather(
            run_pull_consumer(
                js, NOTIFIER_CONSUMER, delivery.handle, stop=stop, batch=settings.fetch_batch, retry=retry
            ),
            # Keeps the held channels current, and sends a recipient's parked events once it has a channel.
            keep_running(
                "channels-watch",
                lambda: channels.follow(stop=stop, on_change=parked.release_if_reachable),
                stop=stop,
            ),
            keep_running("catalog-watch", lambda: catalogs.watch(stop=stop), stop=stop),
            serve_ops(health, host=settings.ops_host, port=settings.ops_port, stop=stop),
        )
    await close_nats(nc)


if __name__ == "__main__":
    run_until_stopped(main)
