"""Replays the case event log (`CASE_EVENTS`) from its first message into a record store, for a rebuild.

An ephemeral pull consumer without acks reads the stream up to the last message it held when the replay began
(later events are the records service's, which applies them after the rebuild); events go through
`RecordStore.apply` as the live projection applies them, in lanes by case so that each case's events stay in order
while cases are applied side by side. An event whose predecessors the stream no longer holds is kept aside
(`RecordStore.hold`) and its case is named for rebuilding from Temporal.
"""

from __future__ import annotations

import asyncio
import contextlib
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import nats.errors
import structlog
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from nats.js.errors import NotFoundError
from pydantic import ValidationError

from services.contracts.case_event_log import CASE_EVENTS_PREFIX, CaseEvent
from services.contracts.subjects import CASE_EVENTS_STREAM
from services.records.projection import Placement
from services.records.store import EventWithoutView, RecordStore

log = structlog.get_logger(__name__)

FETCH_BATCH = 256
FETCH_TIMEOUT_SECONDS = 2.0
# The server removes the replay's consumer this long after its last fetch (a rebuild that died leaves nothing).
IDLE_SECONDS = 120.0
PROGRESS_EVERY = 50_000


@dataclass
class ReplayTally:
    """What the replay read: events, how many were applied, and the cases the stream holds only part of."""

    events: int = 0
    applied: int = 0
    unreadable: int = 0
    partial: set[str] = field(default_factory=set)


async def replay_stream(js: JetStreamContext, store: RecordStore, *, lanes: int = 8) -> ReplayTally:
    """Apply every event the stream holds now to `store`, each case's in order; returns the tally."""
    tally = ReplayTally()
    state = (await js.stream_info(CASE_EVENTS_STREAM.name)).state
    if state.messages == 0:
        return tally
    end = state.last_seq
    config = ConsumerConfig(
        ack_policy=AckPolicy.NONE, deliver_policy=DeliverPolicy.ALL, inactive_threshold=IDLE_SECONDS
    )
    sub = await js.pull_subscribe(f"{CASE_EVENTS_PREFIX}.>", stream=CASE_EVENTS_STREAM.name, config=config)
    consumer = (await sub.consumer_info()).name
    queues: list[asyncio.Queue[CaseEvent | None]] = [asyncio.Queue(maxsize=FETCH_BATCH) for _ in range(lanes)]
    try:
        async with asyncio.TaskGroup() as group:
            for queue in queues:
                group.create_task(_lane(queue, store, tally))
            async for msg in _messages(sub, end):
                tally.events += 1
                if tally.events % PROGRESS_EVERY == 0:
                    log.info("records.rebuild.replaying", events=tally.events, of=state.messages)
                try:
                    event = CaseEvent.model_validate_json(msg.data)
                except ValidationError:
                    tally.unreadable += 1
                    log.warning("records.rebuild.unreadable_event", subject=msg.subject)
                    continue
                await queues[zlib.crc32(event.case_id.encode()) % lanes].put(event)
            for queue in queues:
                await queue.put(None)
    finally:
        await sub.unsubscribe()
        # Gone already, or the server removes it once idle.
        with contextlib.suppress(NotFoundError, nats.errors.TimeoutError):
            await js.delete_consumer(CASE_EVENTS_STREAM.name, consumer)
    return tally


async def _lane(queue: asyncio.Queue[CaseEvent | None], store: RecordStore, tally: ReplayTally) -> None:
    """Apply one lane's events in the order they came, until the end marker."""
    while (event := await queue.get()) is not None:
        try:
            placement = await store.apply(event)
        except EventWithoutView:
            tally.unreadable += 1
            log.warning("records.rebuild.event_without_view", case_id=event.case_id, sequence=event.sequence)
            continue
        if placement is Placement.APPLY:
            tally.applied += 1
        elif placement is Placement.GAP:
            # The stream no longer holds the case from its start (or holds a hole): kept for the rebuild from
            # Temporal, which takes the events the stream still has and the rest from the workflow's timeline.
            await store.hold(event)
            tally.partial.add(event.case_id)


async def _messages(sub: JetStreamContext.PullSubscription, end: int) -> AsyncIterator[Msg]:
    """The consumer's messages up to stream sequence `end` (or until nothing is left, should `end` have aged out)."""
    while True:
        try:
            batch = await sub.fetch(FETCH_BATCH, timeout=FETCH_TIMEOUT_SECONDS)
        except TimeoutError:  # nats-py raises its own subclass, or asyncio's
            if (await sub.consumer_info()).num_pending == 0:
                return
            continue
        for msg in batch:
            position = msg.metadata.sequence.stream
            if position > end:
                return
            yield msg
            if position == end:
                return
