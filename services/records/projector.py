"""The records' consumer of the case event log: each event applied to its case's record, once and in order."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import structlog
from nats.aio.msg import Msg
from prometheus_client import Counter, Histogram

from services.contracts.case_event_log import CaseEvent
from services.engines.pull_consumer import Outcome
from services.records.projection import Placement
from services.records.store import EventWithoutView, RecordStore

log = structlog.get_logger(__name__)

PROJECTED = Counter(
    "hotline_records_events_total", "Case events the records took, by placement (apply, duplicate, gap).", ["placement"]
)
LAG = Histogram(
    "hotline_records_lag_seconds",
    "From an event's time to its record being written, in seconds.",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)
# An earlier event of the case is on its way (redelivered, or handled by another instance): soon, not backed off.
GAP_RETRY_SECONDS = 0.25


class CaseTurns:
    """One event of a case applied at a time, in the order they came: asyncio's locks are first come, first served.

    A case's events come close together (a new case's `received`, `routed` and `assigned` within milliseconds) and
    are fetched in one batch, whose messages are handled at once. Raced, all but the first found no row to lock, or
    a row not yet at their turn, and waited out a gap (`GAP_RETRY_SECONDS`, some of them twice): most of the lag.
    Across instances of the service the gap and the row lock still order them.
    """

    def __init__(self) -> None:
        self._locks: dict[str, asyncio.Lock] = {}
        self._waiting: dict[str, int] = {}

    @contextlib.asynccontextmanager
    async def turn(self, case_id: str) -> AsyncIterator[None]:
        lock = self._locks.setdefault(case_id, asyncio.Lock())
        self._waiting[case_id] = self._waiting.get(case_id, 0) + 1
        try:
            async with lock:
                yield
        finally:
            self._waiting[case_id] -= 1
            if not self._waiting[case_id]:  # the last of the case's events in hand: forget the case
                del self._waiting[case_id], self._locks[case_id]

    def __len__(self) -> int:
        """Cases with an event in hand."""
        return len(self._locks)


class RecordProjector:
    def __init__(self, store: RecordStore) -> None:
        self._store = store
        self._turns = CaseTurns()

    async def handle(self, msg: Msg) -> Outcome:
        """Apply one event: ack once applied (or already applied); a gap is retried soon; no view is hopeless."""
        event = CaseEvent.model_validate_json(msg.data)
        try:
            async with self._turns.turn(event.case_id):
                placement = await self._store.apply(event)
        except EventWithoutView as exc:
            return Outcome.give_up(str(exc))
        PROJECTED.labels(placement.value).inc()
        if placement is Placement.GAP:
            return Outcome.retry(GAP_RETRY_SECONDS, f"case {event.case_id}: an event before {event.sequence} is due")
        if placement is Placement.APPLY:
            LAG.observe(max(0.0, (datetime.now(UTC) - event.at).total_seconds()))
            log.debug("records.applied", case_id=event.case_id, sequence=event.sequence, kind=event.kind)
        return Outcome.ack()
