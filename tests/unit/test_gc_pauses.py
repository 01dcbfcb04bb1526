"""Each garbage collection is timed into `hotline_gc_pause_seconds`, by generation, once however often it is set up."""

from __future__ import annotations

import gc

from prometheus_client import REGISTRY

from services.contracts.gc_pauses import observe_gc_pauses


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
