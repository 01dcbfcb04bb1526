"""Each garbage collection is timed into `hotline_gc_pause_seconds`, by generation, once however often it is set up;
what a service holds once started can be taken out of the collector's sight (collecting the garbage first); full
collections can be made more frequent (and so shorter)."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest
from prometheus_client import REGISTRY

from services.contracts.gc_pauses import consider_full_collection_every, freeze_startup_objects, observe_gc_pauses


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


@pytest.fixture
def thresholds_restored() -> Iterator[tuple[int, int, int]]:
    before = gc.get_threshold()
    yield before
    gc.set_threshold(*before)


def test_a_full_collection_is_considered_after_the_given_number_of_generation_1_collections(
    thresholds_restored: tuple[int, int, int],
) -> None:
    young, middle, _ = thresholds_restored

    in_force = consider_full_collection_every(3)

    assert in_force == gc.get_threshold() == (young, middle, 3)


def full_collections_while_the_heap_grows(every: int) -> float:
    """Full collections timed while 300 k objects in cycles are made and kept, then dropped.

    Whatever the process held before is frozen meanwhile: CPython skips a full collection until a quarter of the heap
    is new, and the rest of the test suite's heap would make that quarter larger than the objects made here.
    """
    freeze_startup_objects()
    gc.collect()  # the heap the quarter is counted against: now nearly empty
    try:
        consider_full_collection_every(every)
        observe_gc_pauses()
        before = pauses(2)[0]
        kept = [Node() for _ in range(300_000)]
        during = pauses(2)[0] - before
        del kept
        gc.collect()
    finally:
        gc.unfreeze()
    return during


@pytest.mark.usefixtures("thresholds_restored")
def test_full_collections_come_more_often_when_considered_more_often() -> None:
    assert full_collections_while_the_heap_grows(2) > full_collections_while_the_heap_grows(10)


@pytest.mark.parametrize("count", [0, -1])
def test_fewer_than_one_generation_1_collection_is_refused(count: int) -> None:
    before = gc.get_threshold()

    with pytest.raises(ValueError, match="generation1_collections"):
        consider_full_collection_every(count)

    assert gc.get_threshold() == before
