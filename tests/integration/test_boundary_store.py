"""`BoundaryStore` on a real NATS server: the shipped sample as version 1, imports, and following `current`."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator

import nats
import pytest_asyncio

from services.contracts.boundaries import DistrictBoundaries, load_boundaries, parse_boundaries, to_feature_collection
from services.contracts.subjects import BucketSpec, ObjectStoreSpec
from services.engines.boundary_store import BoundaryStore
from services.engines.jetstream import key_value, object_store
from tests.support.engines import nats_servers
from tests.support.polling import assert_eventually
from tests.support.system import RunningSystem


@pytest_asyncio.fixture
async def stores(system: RunningSystem) -> AsyncIterator[tuple[BoundaryStore, BoundaryStore]]:
    """Two stores (an importer and a router) on a bucket and object store of the test's own."""
    nc = await nats.connect(nats_servers(system.nats.url))
    js = nc.jetstream()
    name = f"boundaries_test_{uuid.uuid4().hex[:12]}"
    bucket = await key_value(js, BucketSpec(name=name))
    objects = await object_store(js, ObjectStoreSpec(name=name))
    try:
        yield BoundaryStore(bucket, objects), BoundaryStore(bucket, objects)
    finally:
        await js.delete_key_value(name)
        await js.delete_object_store(name)
        await nc.close()


def without_a_township(boundaries: DistrictBoundaries, township: str) -> DistrictBoundaries:
    """The boundaries less one township's (as if a city imported a file that lacked it)."""
    document = to_feature_collection(boundaries)
    document["features"] = [f for f in document["features"] if f["properties"]["code"].split(".")[1:2] != [township]]
    return parse_boundaries(json.dumps(document))


async def test_the_first_start_stores_the_sample_and_an_import_is_followed(
    stores: tuple[BoundaryStore, BoundaryStore],
) -> None:
    importer, router = stores
    shipped = await router.start()
    assert (shipped.version, shipped.digest) == ("1", load_boundaries().digest)
    assert (await importer.start()).version == "1", "a second start stores nothing"
    stop = asyncio.Event()
    watching = asyncio.create_task(router.watch(stop=stop))
    try:
        smaller = without_a_township(shipped, "taoyuan-township")
        stored = await importer.import_boundaries(smaller, note="taoyuan redrawn")

        assert stored is not None and stored.version == 2 and stored.counts["township"] == 5
        assert await importer.import_boundaries(smaller, note="again") is None, "unchanged content is not stored"

        async def followed() -> None:
            assert router.current().version == "2"

        await assert_eventually(followed, what="the router follows `current`")
        assert router.current().digest == smaller.digest
        assert "taoyuan-township" not in router.current().townships()
        assert [(await importer.version(n)).note for n in await importer.versions()] == [
            "shipped sample district",
            "taoyuan redrawn",
        ]
    finally:
        stop.set()
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.wait_for(watching, timeout=10)
