"""Run the notifier: `python -m services.notifier`."""

from __future__ import annotations

import asyncio

import httpx
import structlog

from services.contracts.subjects import NOTIFIER_CONSUMER, UNIT_CHANNELS_BUCKET
from services.contracts.telemetry import configure_logging
from services.engines.jetstream import close_nats, key_value, open_jetstream
from services.engines.lifecycle import run_until_stopped
from services.engines.ops_server import serve_ops
from services.engines.pull_consumer import RetryPolicy, run_pull_consumer
from services.notifier.event_delivery import EventDelivery
from services.notifier.settings import NotifierSettings
from services.notifier.webhook import WebhookSender

log = structlog.get_logger("services.notifier")


async def main(stop: asyncio.Event) -> None:
    settings = NotifierSettings()
    configure_logging(service="notifier", level=settings.log_level, json=settings.log_json)
    nc, js = await open_jetstream(settings, name="notifier")
    retry = RetryPolicy(base_seconds=settings.retry_base_seconds, max_seconds=settings.retry_max_seconds)
    async with httpx.AsyncClient(timeout=settings.webhook_timeout_seconds) as http:
        delivery = EventDelivery(
            channels=await key_value(js, UNIT_CHANNELS_BUCKET), webhook=WebhookSender(http), retry=retry
        )
        log.info("notifier.ready")

        async def health() -> dict[str, bool]:
            return {"nats": nc.is_connected}

        await asyncio.gather(
            run_pull_consumer(
                js, NOTIFIER_CONSUMER, delivery.handle, stop=stop, batch=settings.fetch_batch, retry=retry
            ),
            serve_ops(health, host=settings.ops_host, port=settings.ops_port, stop=stop),
        )
    await close_nats(nc)


if __name__ == "__main__":
    run_until_stopped(main)
