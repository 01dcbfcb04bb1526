"""The pipeline consumers' JetStream backlog, read from outside the services (the fault suite, the benchmark)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

import nats
from nats.js import JetStreamContext

from services.contracts.subjects import CASE_STARTER_CONSUMER, NOTIFIER_CONSUMER, ROUTER_CONSUMER, ConsumerSpec

BACKLOG_CONSUMERS = (ROUTER_CONSUMER, CASE_STARTER_CONSUMER, NOTIFIER_CONSUMER)


async def consumer_backlog(nats_url: str, consumers: Sequence[ConsumerSpec] = BACKLOG_CONSUMERS) -> dict[str, int]:
    """Messages each pipeline consumer has not finished with (not yet delivered, or delivered and not acked)."""
    nc = await nats.connect(nats_url)
    try:
        return await _backlog(nc.jetstream(), consumers)
    finally:
        await nc.close()


async def wait_until_drained(
    nats_url: str,
    *,
    timeout: float,
    poll: float = 1.0,
    consumers: Sequence[ConsumerSpec] = BACKLOG_CONSUMERS,
) -> float:
    """Seconds until none of the consumers has anything left; TimeoutError naming the backlog after `timeout`."""
    began = time.monotonic()
    nc = await nats.connect(nats_url)  # one connection for every poll
    try:
        while True:
            backlog = await _backlog(nc.jetstream(), consumers)
            if not any(backlog.values()):
                return time.monotonic() - began
            if time.monotonic() - began >= timeout:
                raise TimeoutError(f"consumers still busy after {timeout:g} s: {backlog}")
            await asyncio.sleep(poll)
    finally:
        await nc.close()


async def _backlog(js: JetStreamContext, consumers: Sequence[ConsumerSpec]) -> dict[str, int]:
    backlog: dict[str, int] = {}
    for spec in consumers:
        info = await js.consumer_info(spec.stream.name, spec.durable)
        backlog[spec.durable] = int(info.num_pending or 0) + int(info.num_ack_pending or 0)
    return backlog
