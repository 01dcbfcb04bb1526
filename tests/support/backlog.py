"""The pipeline consumers' JetStream backlog, read from outside the services (the fault suite, the benchmark)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

import nats
from nats.js import JetStreamContext
from nats.js.errors import BucketNotFoundError, NoKeysError

from services.contracts.subjects import (
    CASE_STARTER_CONSUMER,
    NOTIFIER_CONSUMER,
    PARKED_EVENTS_BUCKET,
    ROUTER_CONSUMER,
    ConsumerSpec,
)
from tests.support.engines import nats_servers

BACKLOG_CONSUMERS = (ROUTER_CONSUMER, CASE_STARTER_CONSUMER, NOTIFIER_CONSUMER)


async def consumer_backlog(nats_url: str, consumers: Sequence[ConsumerSpec] = BACKLOG_CONSUMERS) -> dict[str, int]:
    """Messages each pipeline consumer has not finished with (not yet delivered, or delivered and not acked)."""
    nc = await nats.connect(nats_servers(nats_url))
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
    parked_for: Sequence[str] = (),
) -> float:
    """Seconds until none of the consumers has anything left; TimeoutError naming the backlog after `timeout`.

    With `parked_for`, the events the notifier parked for those units count as backlog too (units about to get a
    channel: a unit that never gets one would keep its events parked and the wait would time out), and the backlog
    must read empty at two polls in a row: a unit's parked events are released (republished) only once the notifier
    has seen its new channel, each deleted before it is republished, so one empty reading can fall between the two.
    The benchmark's end to end once started its first step on 3 300 of them."""
    began = time.monotonic()
    empty_readings = 0
    nc = await nats.connect(nats_servers(nats_url))  # one connection for every poll
    try:
        while True:
            js = nc.jetstream()
            backlog = await _backlog(js, consumers)
            if parked_for:
                backlog[PARKED_EVENTS_BUCKET.name] = await parked_events(js, parked_for)
            empty_readings = 0 if any(backlog.values()) else empty_readings + 1
            if empty_readings >= (2 if parked_for else 1):
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


async def parked_events(js: JetStreamContext, units: Sequence[str]) -> int:
    """Events the notifier holds for `units` while they have no channel (keyed `<unit>.<event>`; 0 before the
    notifier has made its bucket)."""
    try:
        bucket = await js.key_value(PARKED_EVENTS_BUCKET.name)
        keys = await bucket.keys()
    except (NoKeysError, BucketNotFoundError):
        return 0
    return sum(1 for key in keys if key.split(".", 1)[0] in units)
