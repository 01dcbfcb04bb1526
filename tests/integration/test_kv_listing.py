"""Listing a KV bucket's keys on a real NATS server: what was just written is there, deleted keys are not.

nats-py's own `KeyValue.keys()` (and a watch's end-of-values marker) could miss a key written a moment before, or
come back empty: the first test is the one that caught it (an admin's new API key missing from the key list).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest_asyncio
from nats.js.kv import KeyValue

from services.engines.jetstream import kv_entries, kv_keys
from tests.support.buckets import scratch_bucket
from tests.support.system import RunningSystem


@pytest_asyncio.fixture
async def bucket(system: RunningSystem) -> AsyncIterator[KeyValue]:
    """A bucket of the test's own."""
    async with scratch_bucket(system.nats.url, "listing_test") as (_nc, kv):
        yield kv


async def test_a_key_written_a_moment_before_is_always_listed(bucket: KeyValue) -> None:
    written: list[str] = []
    for round_ in range(200):
        key = f"key-{round_:03d}"
        await bucket.put(key, b"value")
        written.append(key)

        assert await kv_keys(bucket) == written


async def test_an_empty_bucket_lists_nothing(bucket: KeyValue) -> None:
    assert await kv_keys(bucket) == []
    assert await kv_entries(bucket) == []


async def test_deleted_and_purged_keys_are_left_out(bucket: KeyValue) -> None:
    for key in ("kept", "deleted", "purged"):
        await bucket.put(key, key.encode())

    await bucket.delete("deleted")
    await bucket.purge("purged")

    assert await kv_keys(bucket) == ["kept"]


async def test_the_pattern_is_matched_by_the_server_as_a_subject(bucket: KeyValue) -> None:
    for key in ("case-1.a", "case-1.b.c", "case-10.a", "version.1", "version.2", "versions"):
        await bucket.put(key, b"x")

    assert await kv_keys(bucket, "case-1.>") == ["case-1.a", "case-1.b.c"]
    assert await kv_keys(bucket, "version.*") == ["version.1", "version.2"]
    assert await kv_keys(bucket, "nobody.>") == []


async def test_entries_carry_each_key_s_latest_value_and_revision(bucket: KeyValue) -> None:
    await bucket.put("a", b"first")
    await bucket.put("b", b"only")
    latest = await bucket.put("a", b"second")

    entries = await kv_entries(bucket)

    assert [(e.key, e.value) for e in entries] == [("a", b"second"), ("b", b"only")]
    assert entries[0].revision == latest
