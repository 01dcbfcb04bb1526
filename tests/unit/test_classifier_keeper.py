"""`ClassifierKeeper`: built at start, rebuilt when the catalog version changes, the old one used meanwhile."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass

import pytest

from services.contracts.catalog import ResponsibilityCatalog, load_catalog
from services.router.classifier_keeper import ClassifierKeeper


@dataclass(frozen=True)
class Built:
    """Stands in for a `TicketClassifier`: the keeper only looks at its catalog version."""

    catalog_version: str


class Builds:
    """A builder that records what it built, can be held part-way (as a real build takes ~1.5 s), or fail."""

    def __init__(self) -> None:
        self.versions: list[str] = []
        self.gate = threading.Event()
        self.gate.set()
        self.fail_for: set[str] = set()

    def __call__(self, catalog: ResponsibilityCatalog) -> Built:
        self.gate.wait(timeout=5)
        if catalog.version in self.fail_for:
            raise ValueError(f"cannot build for {catalog.version}")
        self.versions.append(catalog.version)
        return Built(catalog.version)


def version(number: str) -> ResponsibilityCatalog:
    return load_catalog().model_copy(update={"version": number})


@pytest.fixture
def builds() -> Builds:
    return Builds()


async def test_the_old_classifier_routes_until_the_new_one_is_built(builds: Builds) -> None:
    keeper = ClassifierKeeper(builds)  # type: ignore[arg-type]
    await keeper.start(version("1"))
    builds.gate.clear()

    keeper.refresh(version("2"))
    await asyncio.sleep(0.05)
    assert keeper.current().catalog_version == "1"

    builds.gate.set()
    await keeper.settled()
    assert keeper.current().catalog_version == "2"
    assert builds.versions == ["1", "2"]


async def test_the_same_version_is_not_rebuilt_nor_a_second_build_started_during_one(builds: Builds) -> None:
    keeper = ClassifierKeeper(builds)  # type: ignore[arg-type]
    await keeper.start(version("1"))
    keeper.refresh(version("1"))
    builds.gate.clear()
    keeper.refresh(version("2"))
    keeper.refresh(version("3"))  # still building 2: picked up by a later refresh
    builds.gate.set()
    await keeper.settled()
    keeper.refresh(version("3"))
    await keeper.settled()

    assert builds.versions == ["1", "2", "3"]


async def test_a_failed_build_keeps_the_classifier_in_use_and_is_not_retried_for_that_version(builds: Builds) -> None:
    keeper = ClassifierKeeper(builds)  # type: ignore[arg-type]
    await keeper.start(version("1"))
    builds.fail_for = {"2"}

    keeper.refresh(version("2"))
    await keeper.settled()
    keeper.refresh(version("2"))
    await keeper.settled()

    assert keeper.current().catalog_version == "1"
    assert builds.versions == ["1"]


async def test_follow_rebuilds_when_the_catalog_in_force_changes(builds: Builds) -> None:
    keeper = ClassifierKeeper(builds)  # type: ignore[arg-type]
    await keeper.start(version("1"))
    in_force = version("1")
    stop = asyncio.Event()
    following = asyncio.create_task(keeper.follow(lambda: in_force, stop=stop, interval=0.01))

    in_force = version("2")
    for _ in range(200):
        if keeper.current().catalog_version == "2":
            break
        await asyncio.sleep(0.01)
    stop.set()
    await following

    assert keeper.current().catalog_version == "2"
