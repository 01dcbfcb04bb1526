"""`CatalogStore` on a real NATS server: publishing a change made to one version, when another became current."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
import pytest_asyncio
from nats.aio.client import Client as NATS
from nats.js.kv import KeyValue

from services.contracts.catalog import ResponsibilityCatalog
from services.engines.catalog_store import CatalogMoved, CatalogStore
from services.engines.version_pointer import VersionPointer
from tests.support.buckets import scratch_bucket
from tests.support.system import RunningSystem


@dataclass
class Bucket:
    nc: NATS
    kv: KeyValue


@pytest_asyncio.fixture
async def bucket(system: RunningSystem) -> AsyncIterator[Bucket]:
    """A catalog bucket of the test's own, so the session's catalog is untouched."""
    async with scratch_bucket(system.nats.url, "catalog_test") as (nc, kv):
        yield Bucket(nc, kv)


def with_primary(catalog: ResponsibilityCatalog, code: str, unit: str) -> ResponsibilityCatalog:
    items = dict(catalog.items)
    items[code] = items[code].model_copy(update={"primary_unit": unit})
    return catalog.model_copy(update={"items": items, "digest": f"test-{code}-{unit}"})


async def test_a_change_made_to_an_older_version_is_not_published(bucket: Bucket) -> None:
    store = CatalogStore(bucket.kv, bucket.nc)
    shipped = await store.start()
    first = await store.publish(with_primary(shipped, "KW-05", "development-reform"), source="change:a", based_on=1)
    assert first.version == 2

    with pytest.raises(CatalogMoved) as moved:
        await store.publish(with_primary(shipped, "HE-04", "market-regulation"), source="change:b", based_on=1)

    assert (moved.value.based_on, moved.value.current) == (1, 2)
    assert await store.versions() == [1, 2]
    assert (await store.load_current()).version == 2
    found = await store.find_source("change:a")
    assert found is not None and found.version == 2
    assert await store.find_source("change:a", after=2) is None
    assert await store.find_source("change:b") is None


async def test_a_version_that_lost_the_race_for_current_is_withdrawn(bucket: Bucket) -> None:
    other = CatalogStore(bucket.kv, bucket.nc)
    shipped = await other.start()

    class Racing(VersionPointer):
        """Another publisher makes its version current just before this one moves the pointer."""

        async def move(self, number: int, seen: KeyValue.Entry | None) -> bool:
            await other.publish(with_primary(shipped, "LS-06", "housing-construction"), source="import")
            return await super().move(number, seen)

    store = CatalogStore(bucket.kv, bucket.nc)
    store._pointer = Racing(bucket.kv)
    await store.start()
    with pytest.raises(CatalogMoved):
        await store.publish(with_primary(shipped, "KW-05", "development-reform"), source="change:a", based_on=1)

    # Version 2 (the change) never became current and is gone; version 3 (the import) is in force.
    assert await store.versions() == [1, 3]
    assert (await store.load_current()).source == "import"
    assert await store.find_source("change:a") is None
