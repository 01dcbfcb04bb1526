"""The case records' projection lag: from an event's publication on `CASE_EVENTS` to its case's row in PostgreSQL
showing it (issue 24: p99 < 1 s at the engine limit's rate).

*Published* is the stream's own time of the event: the JetStream timestamp of the stored message, read by an ordered,
headers-only consumer of the benchmark's (the `Nats-Msg-Id` header names the case and the sequence). *Visible* is
the first of the benchmark's polls of `case_records` whose answer holds the case's `last_sequence` at or past the
event's: the poll, every 50 ms, asks for the cases whose events the benchmark has seen published and not yet in their
row. So the figure is an upper bound, late by at most a poll period, the query's own time and the delay of the
benchmark's sight of the event (reported beside it as `watch_delay`), and it is what a reader of the records sees.

Beside it, the records' own histogram `hotline_records_lag_seconds` over the same window (its /metrics read before
and after, buckets subtracted): from the event's `at` (the workflow's time, taken when its task began, before the
publish) to the row written (before the commit); a different span, kept as a cross-check.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import httpx
import nats
from nats.aio.client import Client as Nats
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import DeliverPolicy
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from bench.cpu_time import ms_per_case
from bench.figures import Step, percentile
from services.contracts.case_event_log import CASE_EVENTS_PREFIX
from services.contracts.subjects import RECORDS_CONSUMER
from services.engines.records_db.tables import case_records
from tests.support.system import RunningSystem

POLL_SECONDS = 0.05
BACKLOG_POLL_SECONDS = 1.0
# After a step, how long the records may take to show every event published in it before the figure is given up.
CATCH_UP_SECONDS = 600.0
LAG_METRIC = "hotline_records_lag_seconds"
QUANTILES = (50, 95, 99)

EventKey = tuple[str, int]  # (case id, sequence)


def event_key(msg_id: str) -> EventKey | None:
    """The case and sequence a case event's `Nats-Msg-Id` (`<case_id>:events:<sequence>`) names; None for another."""
    case_id, _, sequence = msg_id.rpartition(":events:")
    return (case_id, int(sequence)) if case_id and sequence.isdigit() else None


def percentiles_ms(samples: Sequence[float]) -> dict[str, Any]:
    """Count, p50 / p95 / p99 and the worst of samples in seconds, as milliseconds."""

    def ms(value: float | None) -> float | None:
        return None if value is None else round(value * 1000, 1)

    shown: dict[str, Any] = {"count": len(samples)}
    shown |= {f"p{q}_ms": ms(percentile(samples, q)) for q in QUANTILES}
    return shown | {"max_ms": ms(max(samples, default=None))}


class ProjectionWatch:
    """When each case event published while it runs was stored on the stream, and when its row first showed it."""

    def __init__(self, *, nats_url: str, database_url: str, poll_seconds: float = POLL_SECONDS) -> None:
        self.poll_seconds = poll_seconds
        self.published: dict[EventKey, float] = {}  # the stream's timestamp, wall clock seconds
        self.seen: dict[EventKey, float] = {}  # when the benchmark received it
        self.visible: dict[EventKey, float] = {}  # when a poll first found it applied
        self._awaited: dict[str, set[int]] = {}  # case id → sequences published and not yet visible
        self.backlog_max = 0  # the most messages the records' consumer had not finished with, read every second
        self._nats_url = nats_url
        self._database_url = database_url
        self._nc: Nats | None = None
        self._database: AsyncEngine | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._subscription: JetStreamContext.PushSubscription | None = None

    async def start(self) -> None:
        self._nc = await nats.connect(self._nats_url)
        self._subscription = await self._nc.jetstream().subscribe(
            f"{CASE_EVENTS_PREFIX}.>",
            cb=self._published,
            ordered_consumer=True,
            headers_only=True,
            deliver_policy=DeliverPolicy.NEW,
        )
        self._database = create_async_engine(self._database_url, pool_size=1, max_overflow=0)
        self._tasks = [asyncio.create_task(self._poll()), asyncio.create_task(self._sample_backlog())]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._subscription is not None:
            # First: an ordered consumer whose connection closes under it would try to make itself again, and say so.
            await self._subscription.unsubscribe()
        if self._nc is not None:
            await self._nc.close()
        if self._database is not None:
            await self._database.dispose()

    @property
    def awaited(self) -> int:
        """Events published and not yet seen in their rows."""
        return sum(len(sequences) for sequences in self._awaited.values())

    async def caught_up(self, *, timeout: float) -> float | None:
        """Seconds until every event published so far was seen in its row; None if some were not within `timeout`."""
        began = time.monotonic()
        while self.awaited:
            if time.monotonic() - began > timeout:
                return None
            await asyncio.sleep(self.poll_seconds)
        return time.monotonic() - began

    def figures(self) -> dict[str, Any]:
        """The lag of every event published while watched, and how late the benchmark saw them published."""
        both = [key for key in self.published if key in self.visible]
        return {
            "events_published": len(self.published),
            "events_visible": len(both),
            "published_to_row_visible": percentiles_ms([self.visible[k] - self.published[k] for k in both]),
            "watch_delay": percentiles_ms([self.seen[k] - self.published[k] for k in self.published]),
            "poll_seconds": self.poll_seconds,
        }

    async def _published(self, msg: Msg) -> None:
        key = event_key((msg.headers or {}).get("Nats-Msg-Id", ""))
        if key is None or key in self.published:
            return
        self.seen[key] = time.time()
        self.published[key] = msg.metadata.timestamp.timestamp()
        self._awaited.setdefault(key[0], set()).add(key[1])

    async def _poll(self) -> None:
        assert self._database is not None
        while True:
            began = time.monotonic()
            if self._awaited:
                cases = list(self._awaited)
                query = select(case_records.c.case_id, case_records.c.last_sequence).where(
                    case_records.c.case_id.in_(cases)
                )
                async with self._database.connect() as connection:
                    rows = (await connection.execute(query)).all()
                answered = time.time()
                for case_id, last_sequence in rows:
                    self._applied(case_id, last_sequence, answered)
            await asyncio.sleep(max(0.0, self.poll_seconds - (time.monotonic() - began)))

    async def backlog(self) -> int:
        """Messages the records' consumer has not finished with (not yet delivered, or delivered and not acked)."""
        assert self._nc is not None
        info = await self._nc.jetstream().consumer_info(RECORDS_CONSUMER.stream.name, RECORDS_CONSUMER.durable)
        return int(info.num_pending or 0) + int(info.num_ack_pending or 0)

    async def _sample_backlog(self) -> None:
        while True:
            self.backlog_max = max(self.backlog_max, await self.backlog())
            await asyncio.sleep(BACKLOG_POLL_SECONDS)

    def _applied(self, case_id: str, last_sequence: int, at: float) -> None:
        sequences = self._awaited.get(case_id, set())
        for sequence in [s for s in sequences if s <= last_sequence]:
            sequences.discard(sequence)
            self.visible[(case_id, sequence)] = at
        if not sequences:
            self._awaited.pop(case_id, None)


async def lag_histogram(metrics_url: str) -> dict[float, float]:
    """The records' `hotline_records_lag_seconds` buckets now: upper bound (seconds) → cumulative count."""
    async with httpx.AsyncClient(timeout=10) as http:
        response = await http.get(metrics_url)
        response.raise_for_status()
    buckets: dict[float, float] = {}
    for family in text_string_to_metric_families(response.text):
        if family.name == LAG_METRIC:
            for sample in family.samples:
                if sample.name == f"{LAG_METRIC}_bucket":
                    buckets[float(sample.labels["le"])] = sample.value
    return buckets


def histogram_figures(before: Mapping[float, float], after: Mapping[float, float]) -> dict[str, Any]:
    """Events observed between two readings, and for each quantile the bucket it falls in (its upper bound, s)."""
    window = {le: after[le] - before.get(le, 0.0) for le in sorted(after)}
    count = window.get(float("inf"), 0.0)
    bounds: dict[str, Any] = {"count": int(count)}
    for q in QUANTILES:
        rank = q / 100 * count
        bound = next((le for le, cumulative in window.items() if count and cumulative >= rank), None)
        bounds[f"p{q}_at_most_s"] = None if bound is None else (str(bound) if bound == float("inf") else bound)
    bounds["within_1_s"] = int(window.get(1.0, 0.0))
    return bounds


def postgres_pid(system: RunningSystem) -> int | None:
    """The PostgreSQL server's postmaster, where the system runs one."""
    server = system.postgres.server if system.postgres is not None else None
    return server.get_pid() if server is not None else None


async def projection_lag_step(
    system: RunningSystem, stepping: Awaitable[Step], *, cpu: Callable[[], dict[str, float]]
) -> tuple[Step, dict[str, Any]]:
    """The step, with the projection lag of every case event published from its start until the records showed all
    of them, and whether the records kept up. The step's CPU a case (`cpu`: a reading of every process) is measured
    over the same span, the records' catching up included."""
    records = system.services["records"]
    assert system.postgres is not None
    metrics_url = f"{records.base_url}/metrics/"
    watch = ProjectionWatch(nats_url=system.nats.url, database_url=system.postgres.url)
    await watch.start()
    try:
        histogram_before, cpu_before = await lag_histogram(metrics_url), cpu()
        step = await stepping
        backlog_at_step_end = await watch.backlog()
        caught_up = await watch.caught_up(timeout=CATCH_UP_SECONDS)
        histogram_after, cpu_after = await lag_histogram(metrics_url), cpu()
        backlog_at_end = await watch.backlog()
    finally:
        await watch.stop()
    step = replace(step, cpu_ms_per_case=ms_per_case(cpu_before, cpu_after, step.accepted))
    return step, {
        **watch.figures(),
        "records_backlog": {
            "most_during_step": max(watch.backlog_max, backlog_at_step_end),
            "at_step_end": backlog_at_step_end,
            "after_catching_up": backlog_at_end,
        },
        "caught_up_after_step_seconds": None if caught_up is None else round(caught_up, 2),
        "records_histogram": histogram_figures(histogram_before, histogram_after),
    }
