"""Each garbage collection is timed into `hotline_gc_pause_seconds`, by generation, once however often it is set up;
what a service holds once started can be taken out of the collector's sight (collecting the garbage first)."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest
from prometheus_client import REGISTRY

from services.contracts.gc_pauses import freeze_startup_objects, observe_gc_pauses


def pauses(generation: int) -> tuple[float, float]:
    """(count, sum) of the pauses timed so far for `generation`."""
    labels = {"generation": str(generation)}
    count = REGISTRY.get_sample_value("hotline_gc_pause_seconds_count", labels) or 0.0
    total = REGISTRY.get_sample_value("hotline_gc_pause_seconds_sum", labels) or 0.0
    return count, total


def test_a_full_collection_is_timed_once_even_when_set_up_twice() -> None:
    observe_gc_pauses()
    observe_gc_pauses()
    count_before, sum_before = pauses(2)

    gc.collect(2)

    count_after, sum_after = pauses(2)
    assert count_after == count_before + 1
    assert sum_after > sum_before


def test_a_young_collection_is_timed_under_its_own_generation() -> None:
    observe_gc_pauses()
    before = pauses(0)[0]

    gc.collect(0)

    assert pauses(0)[0] == before + 1


class Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the collector can free it


@pytest.fixture
def unfrozen_afterwards() -> Iterator[None]:
    yield
    gc.unfreeze()


@pytest.mark.usefixtures("unfrozen_afterwards")
def test_objects_alive_at_start_up_are_no_longer_walked_by_collections() -> None:
    alive = Node()

    frozen = freeze_startup_objects()

    assert frozen == gc.get_freeze_count() > 0
    assert not any(tracked is alive for tracked in gc.get_objects())


@pytest.mark.usefixtures("unfrozen_afterwards")
def test_garbage_at_start_up_is_collected_not_frozen() -> None:
    garbage = Node()
    gone = weakref.ref(garbage)
    del garbage

    freeze_startup_objects()

    assert gone() is None


@pytest.mark.usefixtures("unfrozen_afterwards")
def test_objects_made_after_start_up_are_still_collected() -> None:
    freeze_startup_objects()
    later = Node()
    gone = weakref.ref(later)
    del later

    gc.collect()

    assert gone() is None
