"""Per-case order of platform callbacks, kept in a real NATS KV bucket shared by every notifier instance."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest_asyncio
from nats.js.kv import KeyValue

from services.contracts.events import Audience, EventKind, NotificationEvent
from services.notifier.callback_order import CallbackOrder, Turn
from tests.support.buckets import scratch_bucket
from tests.support.system import RunningSystem

CASE_ID = "5d0c2b7e-3c1f-4f7a-9a55-0e6b2d9c8a41"


@pytest_asyncio.fixture
async def bucket(system: RunningSystem) -> AsyncIterator[KeyValue]:
    """A fresh `callback_progress`-like bucket on the session's nats-server, removed afterwards."""
    async with scratch_bucket(system.nats.url, "callback_progress_test") as (_nc, kv):
        yield kv


def callback(kind: EventKind, sequence: int, previous: int | None) -> NotificationEvent:
    return NotificationEvent(
        event_id=f"{CASE_ID}:{sequence}",
        kind=kind,
        case_id=CASE_ID,
        unit="platform-12345",
        audience=Audience.PLATFORM,
        sequence=sequence,
        occurred_at=datetime.now(UTC),
        title="小区停水两天无人处理",
        callback_url="https://12345.example.gov.cn/callbacks",
        previous_sequence=previous,
    )


ASSIGNED = callback(EventKind.CASE_ASSIGNED, 2, 0)
FEEDBACK = callback(EventKind.FEEDBACK_GIVEN, 5, 2)
PROGRESS = callback(EventKind.PROGRESS_REPORTED, 7, 5)


async def test_a_callback_waits_until_the_one_it_names_was_acknowledged(bucket: KeyValue) -> None:
    order = CallbackOrder(bucket)

    assert await order.turn(ASSIGNED) is Turn.NOW
    assert await order.turn(FEEDBACK) is Turn.WAIT
    assert await order.turn(PROGRESS) is Turn.WAIT

    await order.sent(ASSIGNED)
    assert await order.turn(FEEDBACK) is Turn.NOW
    assert await order.turn(PROGRESS) is Turn.WAIT
    assert await order.turn(ASSIGNED) is Turn.DONE  # a redelivered copy is not sent again

    await order.sent(FEEDBACK)
    assert await order.turn(PROGRESS) is Turn.NOW


async def test_the_mark_never_moves_backwards(bucket: KeyValue) -> None:
    order = CallbackOrder(bucket)

    await order.sent(FEEDBACK)
    await order.sent(ASSIGNED)  # a late acknowledgement of an earlier callback (e.g. after redelivery)

    assert int((await bucket.get(CASE_ID)).value or b"0") == FEEDBACK.sequence
    assert await order.turn(PROGRESS) is Turn.NOW


async def test_instances_acknowledging_at_once_leave_the_highest_mark(bucket: KeyValue) -> None:
    # Two notifier instances, each with its own view of the bucket, race on the same case.
    instances = [CallbackOrder(bucket), CallbackOrder(bucket)]
    sequences = list(range(1, 21))

    await asyncio.gather(*(instances[n % 2].sent(callback(EventKind.PROGRESS_REPORTED, n, n - 1)) for n in sequences))

    assert int((await bucket.get(CASE_ID)).value or b"0") == max(sequences)


async def test_a_callback_without_a_previous_sequence_goes_at_once(bucket: KeyValue) -> None:
    # Events published before `previous_sequence` existed carry none: they are not held back.
    legacy = callback(EventKind.CASE_CLOSED, 9, None)

    assert await CallbackOrder(bucket).turn(legacy) is Turn.NOW
