"""Values of a KV bucket held in memory on a real NATS server: read once, kept current by the watch, never trusted
longer than their age limit, and never brought back by a late watch entry."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio
from nats.js.kv import KeyValue
from pydantic import BaseModel, ValidationError

from services.engines.held_bucket import HeldBucket
from tests.support.buckets import scratch_bucket
from tests.support.polling import assert_eventually
from tests.support.system import RunningSystem


class Setting(BaseModel):
    url: str


def setting(url: str) -> bytes:
    return Setting(url=url).model_dump_json().encode()


class CountingBucket:
    """The real bucket, counting the reads that reach it."""

    def __init__(self, bucket: KeyValue) -> None:
        self.bucket = bucket
        self.reads = 0

    async def get(self, key: str) -> KeyValue.Entry:
        self.reads += 1
        return await self.bucket.get(key)

    def __getattr__(self, name: str) -> object:
        return getattr(self.bucket, name)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest_asyncio.fixture
async def bucket(system: RunningSystem) -> AsyncIterator[KeyValue]:
    async with scratch_bucket(system.nats.url, "held_test") as (_nc, kv):
        yield kv


Following = tuple[HeldBucket[Setting], list[tuple[str, Setting | None]], CountingBucket]


@pytest_asyncio.fixture
async def following(bucket: KeyValue) -> AsyncIterator[Following]:
    """A held copy whose watch runs for the test, every change it reported (in order), and its bucket's reads."""
    held, counting = held_over(bucket, Clock())
    changes: list[tuple[str, Setting | None]] = []

    async def changed(key: str, value: Setting | None) -> None:
        changes.append((key, value))

    stop = asyncio.Event()
    watch = asyncio.create_task(held.follow(stop=stop, on_change=changed))
    yield held, changes, counting
    stop.set()
    await watch


def held_over(bucket: KeyValue, clock: Clock) -> tuple[HeldBucket[Setting], CountingBucket]:
    counting = CountingBucket(bucket)
    return HeldBucket(counting, Setting.model_validate_json, max_age_seconds=60, clock=clock), counting  # type: ignore[arg-type]


async def test_a_value_is_read_from_the_bucket_once_then_held(bucket: KeyValue) -> None:
    await bucket.put("water", setting("https://a.example/hook"))
    held, counting = held_over(bucket, Clock())

    assert await held.get("water") == Setting(url="https://a.example/hook")
    assert await held.get("water") == Setting(url="https://a.example/hook")
    assert counting.reads == 1


async def test_a_held_value_is_read_again_once_older_than_its_age_limit(bucket: KeyValue) -> None:
    # No watch runs here: the age limit alone must bring the change in.
    clock = Clock()
    await bucket.put("water", setting("https://old.example/hook"))
    held, counting = held_over(bucket, clock)
    assert await held.get("water") == Setting(url="https://old.example/hook")
    await bucket.put("water", setting("https://new.example/hook"))

    clock.now += 59
    assert await held.get("water") == Setting(url="https://old.example/hook")
    clock.now += 1
    assert await held.get("water") == Setting(url="https://new.example/hook")
    assert counting.reads == 2


async def test_a_key_with_no_value_is_none_and_read_every_time(bucket: KeyValue) -> None:
    # Not holding misses keeps keys made up by callers (unknown API keys) from growing the memory.
    held, counting = held_over(bucket, Clock())

    assert await held.get("nobody") is None
    assert await held.get("nobody") is None
    assert await held.get("not a valid key") is None
    assert counting.reads == 3


async def test_an_unreadable_value_raises_on_every_read_and_is_not_held(bucket: KeyValue) -> None:
    await bucket.put("broken", b'{"no_url": 1}')
    held, counting = held_over(bucket, Clock())

    for _ in range(2):
        with pytest.raises(ValidationError):
            await held.get("broken")
    assert counting.reads == 2


async def test_the_watch_brings_in_changes_made_elsewhere_and_reports_each(
    bucket: KeyValue, following: Following
) -> None:
    held, changes, counting = following
    await bucket.put("water", setting("https://a.example/hook"))
    await assert_eventually(lambda: _reported(changes, 1), timeout=5, what="the put reported")
    assert await held.get("water") == Setting(url="https://a.example/hook")

    await bucket.put("water", setting("https://b.example/hook"))
    await assert_eventually(lambda: _reported(changes, 2), timeout=5, what="the change reported")
    assert await held.get("water") == Setting(url="https://b.example/hook")

    await bucket.delete("water")
    await assert_eventually(lambda: _reported(changes, 3), timeout=5, what="the delete reported")
    assert await held.get("water") is None
    assert counting.reads == 0  # every value came from the watch
    assert changes == [
        ("water", Setting(url="https://a.example/hook")),
        ("water", Setting(url="https://b.example/hook")),
        ("water", None),
    ]


async def test_values_stored_before_the_watch_began_are_reported_too(bucket: KeyValue) -> None:
    await bucket.put("water", setting("https://a.example/hook"))
    held = HeldBucket(bucket, Setting.model_validate_json)
    seen: list[str] = []

    async def changed(key: str, value: Setting | None) -> None:
        seen.append(key)

    stop = asyncio.Event()
    watch = asyncio.create_task(held.follow(stop=stop, on_change=changed))
    try:
        await assert_eventually(lambda: _equal(seen, ["water"]), timeout=5, what="the stored key reported")
    finally:
        stop.set()
        await watch


async def test_an_unreadable_value_seen_by_the_watch_does_not_stop_it(bucket: KeyValue, following: Following) -> None:
    held, changes, counting = following
    await bucket.put("broken", b"not json")
    await bucket.put("water", setting("https://a.example/hook"))

    await assert_eventually(lambda: _reported(changes, 2), timeout=5, what="both reported")
    assert changes == [("broken", None), ("water", Setting(url="https://a.example/hook"))]
    assert await held.get("water") == Setting(url="https://a.example/hook")
    assert counting.reads == 0
    with pytest.raises(ValidationError):
        await held.get("broken")  # not held: read, and refused, as before values were held


async def test_an_older_revision_never_replaces_a_newer_one(bucket: KeyValue) -> None:
    # This instance's own write is noted at once; the watch delivers the earlier revisions after it.
    held, counting = held_over(bucket, Clock())
    first = await bucket.put("key-1", setting("https://issued.example"))
    second = await bucket.put("key-1", setting("https://revoked.example"))
    held.note("key-1", setting("https://revoked.example"), second)

    assert held.note("key-1", setting("https://issued.example"), first) == Setting(url="https://revoked.example")
    assert await held.get("key-1") == Setting(url="https://revoked.example")
    assert held.note("key-1", None, second + 1) is None  # a later delete is taken
    assert held.note("key-1", setting("https://issued.example"), first) is None  # and not undone by a late put
    assert await held.get("key-1") is None
    assert counting.reads == 0


async def _reported(changes: list[tuple[str, Setting | None]], count: int) -> None:
    assert len(changes) >= count, changes


async def _equal(seen: list[str], expected: list[str]) -> None:
    assert seen == expected
