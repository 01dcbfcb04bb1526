"""What one cached case costs the workflows worker's garbage collector: tracked objects, and the full collection's time.

    .venv-bench/bin/python -m bench.case_footprint [--cases N]

A full collection walks every object the collector tracks, and a cached case (the worker keeps up to
`max_cached_workflows` of them in memory, with their sandbox, event loop and models) is most of what it walks under
load (docs/performance.md, "The tail lined up with the collector"). This starts `N` cases on a time-skipping test
server, with the worker in this process and the workflows service's own sandbox runner, waits until each one's unit
was told (from then on it waits on its deadline timers, as most cases do), and counts the objects the collector tracks
before and after, with what was there before frozen out of the collection, as the worker freezes its startup objects.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any

import uvloop
from temporalio import activity
from temporalio.client import Client

from bench.engine_limit import routed_cases, start_case
from services.contracts.cases import RoutedCase
from services.contracts.events import EventKind, NotificationEvent
from services.workflows.publishing.activities import CaseChanges
from services.workflows.worker import workflow_runner
from tests.support.polling import assert_eventually
from tests.workflows.harness import PublishedEvents, Sources, WorkerTuning, case_worker, start_time_skipping

WARM_UP_CASES = 50
START_CONCURRENCY = 32
TOP_TYPES = 15


class CountedEvents(PublishedEvents):
    """Counts the cases whose unit was told and keeps no event: a kept event would be counted as the case's."""

    def __init__(self) -> None:
        super().__init__()
        self.assigned = 0

    @activity.defn(name="publish_notification")
    async def publish_notification(self, event: NotificationEvent) -> None:
        if event.kind is EventKind.CASE_ASSIGNED:
            self.assigned += 1

    @activity.defn(name="publish_case_changes")
    async def publish_case_changes(self, changes: CaseChanges) -> None:
        for event in changes.notifications:
            await self.publish_notification(event)


def type_census(objects: Iterable[object]) -> Counter[str]:
    """How many objects of each type (module.qualname)."""
    return Counter(f"{type(o).__module__}.{type(o).__qualname__}" for o in objects)


def per_case(before: Counter[str], after: Counter[str], cases: int, top: int = TOP_TYPES) -> list[tuple[str, float]]:
    """The types that grew most from `before` to `after`, as objects per case (largest first)."""
    grown = after - before  # Counter subtraction keeps only the types that grew
    return [(name, round(count / cases, 1)) for name, count in grown.most_common(top)]


async def start_cases(client: Client, cases: list[RoutedCase], task_queue: str) -> None:
    gate = asyncio.Semaphore(START_CONCURRENCY)

    async def start(routed: RoutedCase) -> None:
        async with gate:
            await start_case(client, routed, task_queue=task_queue)

    await asyncio.gather(*(start(routed) for routed in cases))


async def until_assigned(published: CountedEvents, count: int, *, timeout: float = 300.0) -> None:
    async def all_told() -> None:
        assert published.assigned >= count, f"{published.assigned} of {count} told"

    await assert_eventually(all_told, timeout=timeout, interval=0.05, what=f"the units of {count} cases told")


@contextlib.contextmanager
def frozen_heap() -> Iterator[None]:
    """What the process holds now is left out of every collection (as the worker freezes its start-up objects)
    until the block ends, however it ends: in a test run the process is pytest's, and goes on."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def full_collection_ms() -> float:
    """The CPU time of one full collection (this thread's: what the host's other load does not lengthen)."""
    began = time.thread_time()
    gc.collect()
    return (time.thread_time() - began) * 1000


async def measure(cases: int, *, top: int = TOP_TYPES) -> dict[str, Any]:
    """Objects and full-collection time for `cases` cached cases, with the `top` types that grew most (JSON-able)."""
    env = await start_time_skipping()
    published = CountedEvents()
    # Room for every case: none is evicted, so what is counted is what a cached case holds.
    tuning = WorkerTuning(
        max_cached_workflows=cases + WARM_UP_CASES,
        max_concurrent_workflow_tasks=100,
        workflow_runner=workflow_runner(strict_sandbox=False),
    )
    run = uuid.uuid4().hex[:8]
    try:
        # The clock stays a wall clock: the cases wait on their timers, none is skipped to.
        with env.auto_time_skipping_disabled():
            async with case_worker(env, published, Sources(), tuning=tuning) as task_queue:
                await start_cases(env.client, routed_cases(f"{run}-warm", WARM_UP_CASES), task_queue)
                await until_assigned(published, WARM_UP_CASES)
                with frozen_heap():
                    empty_ms = min(full_collection_ms() for _ in range(3))
                    before = type_census(gc.get_objects())
                    await start_cases(env.client, routed_cases(f"{run}-cached", cases), task_queue)
                    await until_assigned(published, WARM_UP_CASES + cases)
                    gc.collect()
                    after = type_census(gc.get_objects())
                    cached_ms = min(full_collection_ms() for _ in range(3))
    finally:
        await env.shutdown()
    tracked = sum(after.values()) - sum(before.values())
    return {
        "benchmark": "case_footprint",
        "cases": cases,
        "tracked_objects_per_case": round(tracked / cases, 1),
        "full_collection_ms": {"without_cases": round(empty_ms, 2), "with_cases": round(cached_ms, 2)},
        "full_collection_us_per_case": round((cached_ms - empty_ms) * 1000 / cases, 2),
        "top_types_per_case": per_case(before, after, cases, top),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=500, help="cases to hold in the worker's cache")
    args = parser.parse_args()
    if args.cases < 1:
        parser.error(f"--cases must be at least 1, not {args.cases}")
    figures = uvloop.run(measure(args.cases))
    print(json.dumps(figures, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
