"""The wait for a drained pipeline (the benchmark and the fault suite lean on it), against a real NATS server:
events the notifier parked for units without a channel are backlog too, when asked for."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from nats.aio.client import Client as NatsClient

from services.contracts.subjects import PARKED_EVENTS_BUCKET
from services.engines.jetstream import key_value
from tests.support.backlog import parked_events, wait_until_drained
from tests.support.engines import NatsServer


@pytest_asyncio.fixture
async def nats_server(tmp_path: Path) -> AsyncIterator[NatsServer]:
    server = NatsServer.at(tmp_path)
    await server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest_asyncio.fixture
async def nc(nats_server: NatsServer) -> AsyncIterator[NatsClient]:
    client = await nats_server.connect()
    try:
        yield client
    finally:
        await client.close()


async def test_no_parked_events_bucket_yet_reads_as_none_parked(nc: NatsClient) -> None:
    assert await parked_events(nc.jetstream(), ["unit-a"]) == 0


async def test_a_units_parked_event_is_backlog_until_it_is_released(nats_server: NatsServer, nc: NatsClient) -> None:
    bucket = await key_value(nc.jetstream(), PARKED_EVENTS_BUCKET)
    await bucket.put("unit-a.case-1.NOTIFY.7", b"{}")
    await bucket.put("unit-never-reachable.case-2.NOTIFY.8", b"{}")

    with pytest.raises(TimeoutError, match="'parked_events': 1"):
        await wait_until_drained(nats_server.url, timeout=0.5, poll=0.1, consumers=(), parked_for=["unit-a"])
    ignored = await wait_until_drained(nats_server.url, timeout=0.5, poll=0.1, consumers=())
    await bucket.delete("unit-a.case-1.NOTIFY.7")  # released: the notifier deletes it, then republishes it
    waited = await wait_until_drained(nats_server.url, timeout=5.0, poll=0.1, consumers=(), parked_for=["unit-a"])

    assert ignored < 0.1, "without `parked_for`, parked events are not waited for"
    assert await parked_events(nc.jetstream(), ["unit-a"]) == 0
    assert await parked_events(nc.jetstream(), ["unit-never-reachable"]) == 1, "another unit's are not counted"
    assert waited >= 0.1, "empty at two polls in a row, not one: a release deletes before it republishes"
