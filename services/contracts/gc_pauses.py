"""How long the garbage collector stops the process, by generation, as a Prometheus histogram.

A full collection walks every object the process holds; in the workflows worker that includes each cached case's
own copy of the workflow module (the sandbox), so one collection can hold every case in the worker still for
hundreds of milliseconds. SREs see it here before they see it as a latency tail.
"""

from __future__ import annotations

import gc
import time
from typing import Any

from prometheus_client import Histogram

GC_PAUSE_SECONDS = Histogram(
    "hotline_gc_pause_seconds",
    "Time the Python garbage collector stopped the process, in seconds, by generation (2: a full collection).",
    ["generation"],
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)


class _PauseTimer:
    """A `gc.callbacks` entry: the collector calls it at the start and at the stop of each collection."""

    def __init__(self) -> None:
        self._started: float | None = None

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        elif self._started is not None:
            GC_PAUSE_SECONDS.labels(str(info["generation"])).observe(time.perf_counter() - self._started)
            self._started = None


_TIMER = _PauseTimer()


def freeze_startup_objects() -> int:
    """Collect once, then move every object alive now out of the collector's sight; how many were moved.

    Called once a service has started: its modules, classes and clients live as long as the process, yet every full
    collection would walk them again (in the workflows worker ~200 k objects, a fifth of a second each time).
    """
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def consider_full_collection_every(generation1_collections: int) -> tuple[int, int, int]:
    """Let CPython consider a full collection after every `generation1_collections` collections of generation 1 (its
    default is 10), keeping the other two thresholds as they are; the thresholds now in force.

    A full collection's pause is the walk of everything alive plus the freeing of everything that died since the
    last one. In the workflows worker most of that garbage is cases evicted from its cache (each a tangle of cycles
    only a full collection frees), so the pause grows with the time between full collections. CPython still skips
    one until a quarter of the heap is new since the last (its own rule), so a heap that does not churn is not walked
    more often for this.
    """
    if generation1_collections < 1:
        raise ValueError(f"generation1_collections must be at least 1, not {generation1_collections}")
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, generation1_collections)
    return gc.get_threshold()


def observe_gc_pauses() -> None:
    """Time every collection from now on (once per process, however often called)."""
    if _TIMER not in gc.callbacks:
        gc.callbacks.append(_TIMER)
