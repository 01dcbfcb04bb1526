"""Events parked for a recipient with no channel, in a real NATS KV bucket: released once, whoever releases them."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest_asyncio
from nats.js.kv import KeyValue

from services.contracts.events import EventKind, NotificationEvent
from services.notifier.parked_events import ParkedEvents
from tests.support.buckets import scratch_bucket
from tests.support.system import RunningSystem


@dataclass
class Republished:
    """Stands in for JetStream's publish: what a release sends back to `notify.>`, kept here instead."""

    messages: list[tuple[str, bytes, dict[str, str]]] = field(default_factory=list)

    async def publish(
        self, subject: str, payload: bytes, *, stream: str, headers: dict[str, str], timeout: float | None = None
    ) -> None:
        self.messages.append((subject, payload, headers))

    def event_ids(self) -> list[str]:
        return [NotificationEvent.model_validate_json(payload).event_id for _subject, payload, _h in self.messages]


@pytest_asyncio.fixture
async def bucket(system: RunningSystem) -> AsyncIterator[KeyValue]:
    """A fresh `parked_events`-like bucket on the session's nats-server, removed afterwards."""
    async with scratch_bucket(system.nats.url, "parked_events_test") as (_nc, kv):
        yield kv


def parked_event(unit: str, n: int) -> NotificationEvent:
    case_id = str(uuid.uuid4())
    return NotificationEvent(
        event_id=f"{case_id}:1",
        kind=EventKind.CASE_ASSIGNED,
        case_id=case_id,
        unit=unit,
        sequence=1,
        occurred_at=datetime.now(UTC),
        title=f"村道路灯不亮第{n}处",
    )


async def test_two_instances_releasing_at_once_send_each_parked_event_once(bucket: KeyValue) -> None:
    published = Republished()
    first, second = ParkedEvents(bucket, published), ParkedEvents(bucket, published)  # type: ignore[arg-type]
    events = [parked_event("transport", n) for n in range(30)]
    for event in events:
        await first.park(event)

    released = await asyncio.gather(first.release("transport"), second.release("transport"))

    assert sum(released) == len(events)
    assert sorted(published.event_ids()) == sorted(e.event_id for e in events)
    assert {subject for subject, _payload, _headers in published.messages} == {"notify.transport.case_assigned"}
    assert {headers["Hotline-Redelivery"] for _s, _p, headers in published.messages} == {"released"}
    assert await first.release("transport") == 0  # nothing is left to send twice


async def test_a_release_sends_only_that_recipients_events(bucket: KeyValue) -> None:
    published = Republished()
    parked = ParkedEvents(bucket, published)  # type: ignore[arg-type]
    mine = [parked_event("water", n) for n in range(3)]
    others = [parked_event("water-supply-company", 0), parked_event("waterfront-street", 0)]
    for event in mine + others:
        await parked.park(event)

    assert await parked.release("water") == 3
    assert sorted(published.event_ids()) == sorted(e.event_id for e in mine)
