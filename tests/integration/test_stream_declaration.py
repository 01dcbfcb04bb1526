"""`declare_streams` at every start, on the session's nats-server: an existing stream keeps the limits an operator
set on it; what the code owns (subjects, description, retention, duplicate window, compression) follows the code."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator

import nats
import pytest_asyncio
from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, StoreCompression

from services.contracts.subjects import DAY, StreamSpec
from services.engines.jetstream import declare_streams
from tests.support.system import RunningSystem


@pytest_asyncio.fixture
async def stream(system: RunningSystem) -> AsyncIterator[tuple[JetStreamContext, StreamSpec]]:
    nc = await nats.connect(system.nats.url)
    js = nc.jetstream()
    name = f"DECLARED_{uuid.uuid4().hex[:8].upper()}"
    spec = StreamSpec(name=name, subjects=[f"{name.lower()}.>"], max_age_seconds=DAY, description="the code's")
    await declare_streams(js, streams=[spec])
    try:
        yield js, spec
    finally:
        await js.delete_stream(name)
        await nc.close()


async def test_a_restart_keeps_the_operators_limits(stream: tuple[JetStreamContext, StreamSpec]) -> None:
    js, spec = stream
    operated = dataclasses.replace(
        (await js.stream_info(spec.name)).config, max_bytes=8 * 1024 * 1024, max_msgs=5000, discard=DiscardPolicy.NEW
    )
    await js.update_stream(operated)

    await declare_streams(js, streams=[spec])  # a service starts

    kept = (await js.stream_info(spec.name)).config
    assert (kept.max_bytes, kept.max_msgs, kept.discard) == (8 * 1024 * 1024, 5000, DiscardPolicy.NEW)


async def test_what_the_code_owns_follows_the_code_and_the_limits_stay(
    stream: tuple[JetStreamContext, StreamSpec],
) -> None:
    js, spec = stream
    operated = dataclasses.replace((await js.stream_info(spec.name)).config, max_bytes=4 * 1024 * 1024)
    await js.update_stream(operated)
    changed = dataclasses.replace(
        spec,
        subjects=[*spec.subjects, f"{spec.name.lower()}-more.>"],
        description="the code's, later",
        max_age_seconds=2 * DAY,
        duplicate_window_seconds=60.0,
        compressed=True,
    )

    await declare_streams(js, streams=[changed])

    now = (await js.stream_info(spec.name)).config
    assert now.subjects == changed.subjects
    assert (now.description, now.max_age, now.duplicate_window) == ("the code's, later", 2 * DAY, 60.0)
    assert now.compression == StoreCompression.S2
    assert now.max_bytes == 4 * 1024 * 1024
