"""The records' consumer of the case event log: each event applied to its case's record, once and in order."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime

import structlog
from nats.aio.msg import Msg
from prometheus_client import Counter, Histogram
from sqlalchemy.exc import DBAPIError, IntegrityError

from services.contracts.case_event_log import CaseEvent
from services.engines.pull_consumer import Outcome, RetryPolicy
from services.records.projection import Placement
from services.records.store import EventWithoutView, RecordStore, require_view

log = structlog.get_logger(__name__)

PROJECTED = Counter(
    "hotline_records_events_total", "Case events the records took, by placement (apply, duplicate, gap).", ["placement"]
)
DB_ERRORS = Counter(
    "hotline_records_db_errors_total",
    "Case events the records could not apply because the database failed or could not be reached (each retried).",
)
LAG = Histogram(
    "hotline_records_lag_seconds",
    "From an event's time to its record being written, in seconds.",
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300),
)
# An earlier event of the case is on its way (redelivered, or handled by another instance): soon, not backed off.
GAP_RETRY_SECONDS = 0.25
# The database is away (restarting, failing over, unreachable): back off per delivery, but not for long, since the
# records catch up only once the retried events come back, each on its own backoff; a case's later events wait on
# its first. The consumer loop's default ceiling (a minute) kept the records half a minute behind a restarted
# PostgreSQL under the fault suite's load (docs/performance.md, "The fault suite").
DB_RETRY = RetryPolicy(base_seconds=0.5, max_seconds=2.0)
# Every pending event fails each time it comes back: one warning a second says so, with how many failed meanwhile.
DB_WARNING_EVERY_SECONDS = 1.0
# Refused connections (OSError), broken ones and the server's refusals while it starts or recovers (DBAPIError).
DB_UNAVAILABLE = (DBAPIError, OSError)


class CaseBatches:
    """The events of a case in hand at once, applied together, one transaction for them all; one case's batches in
    turn, in the order their events came (asyncio's locks are first come, first served); other cases' meanwhile.

    A case's events come close together (a new case's `received`, `routed` and `assigned` within milliseconds) and
    are fetched together, and the consumer handles the messages in hand at once. Raced, all but the first found no
    row to lock, or a row not yet at their turn, and waited out a gap (`GAP_RETRY_SECONDS`, some of them twice). One
    at a time, each paid a transaction of six round trips to PostgreSQL and its commit, and the third waited for the
    two before it: on a host whose cores are all busy every round trip waits for a core. Across instances of the
    service the gap and the row lock still order them.
    """

    def __init__(self, apply: Callable[[Sequence[CaseEvent]], Awaitable[list[Placement]]]) -> None:
        self._apply = apply
        self._turns: dict[str, asyncio.Lock] = {}
        self._in_hand: dict[str, list[tuple[CaseEvent, asyncio.Future[Placement]]]] = {}

    async def apply(self, event: CaseEvent) -> Placement:
        """The event's placement, once it was applied with the other events of its case in hand by then."""
        case_id = event.case_id
        placed: asyncio.Future[Placement] = asyncio.get_running_loop().create_future()
        self._in_hand.setdefault(case_id, []).append((event, placed))
        turn = self._turns.setdefault(case_id, asyncio.Lock())
        # Once: the case's other events fetched with this one are handled in this same pass of the event loop.
        await asyncio.sleep(0)
        try:
            async with turn:
                if not placed.done():  # not applied with an earlier one's batch: this one's turn, for all in hand
                    await self._apply_in_hand(case_id)
        finally:
            if case_id not in self._in_hand and not turn.locked():  # nothing of the case in hand: forget it
                self._turns.pop(case_id, None)
        return placed.result()

    async def _apply_in_hand(self, case_id: str) -> None:
        batch = self._in_hand.pop(case_id)
        try:
            placements = await self._apply([event for event, _ in batch])
        except Exception as exc:  # each event of the batch fails with it, and is retried
            for _, placed in batch:
                placed.set_exception(exc)
            return
        except BaseException:  # cancelled, the service stopping: each is redelivered
            for _, placed in batch:
                placed.cancel()
            raise
        for (_, placed), placement in zip(batch, placements, strict=True):
            placed.set_result(placement)

    def __len__(self) -> int:
        """Cases with an event in hand."""
        return len(self._turns)


class RecordProjector:
    def __init__(self, store: RecordStore, *, db_retry: RetryPolicy = DB_RETRY) -> None:
        self._store = store
        self._db_retry = db_retry
        self._db_failures_unreported = 0
        self._db_warned_at = float("-inf")
        self._batches = CaseBatches(store.apply_events)

    async def handle(self, msg: Msg) -> Outcome:
        """Apply one event: ack once applied (or already applied); a gap is retried soon, a database error after a
        backoff (whatever it wrote was rolled back, or is recognised as applied); no view is hopeless."""
        event = CaseEvent.model_validate_json(msg.data)
        try:
            require_view(event)  # before it joins a batch: the others are not refused with it
            placement = await self._batches.apply(event)
        except EventWithoutView as exc:
            return Outcome.give_up(str(exc))
        except IntegrityError:
            # Another applier inserted the case's first event meanwhile (a redelivery racing the original): the
            # retry finds it applied. Backed off all the same, in case it is a lasting fault after all.
            delay = self._db_retry.delay(_attempt(msg))
            return Outcome.retry(delay, f"case {event.case_id}: event {event.sequence} raced another applier")
        except DB_UNAVAILABLE as exc:
            delay = self._db_retry.delay(_attempt(msg))
            self._database_failed(event, exc, delay)
            return Outcome.retry(delay, f"database: {type(exc).__name__}")
        PROJECTED.labels(placement.value).inc()
        if placement is Placement.GAP:
            return Outcome.retry(GAP_RETRY_SECONDS, f"case {event.case_id}: an event before {event.sequence} is due")
        if placement is Placement.APPLY:
            LAG.observe(max(0.0, (datetime.now(UTC) - event.at).total_seconds()))
            log.debug("records.applied", case_id=event.case_id, sequence=event.sequence, kind=event.kind)
        return Outcome.ack()

    def _database_failed(self, event: CaseEvent, exc: Exception, delay: float) -> None:
        """Count the failure; warn about it unless another warning went out less than a second ago."""
        DB_ERRORS.inc()
        self._db_failures_unreported += 1
        now = time.monotonic()
        if now - self._db_warned_at < DB_WARNING_EVERY_SECONDS:
            return
        log.warning(
            "records.database_failed",
            case_id=event.case_id,
            sequence=event.sequence,
            retry_in=round(delay, 2),
            failures=self._db_failures_unreported,  # since the last warning, this one included
            # The driver's error, not SQLAlchemy's, whose text carries the statement's parameters.
            error=repr(exc.orig if isinstance(exc, DBAPIError) else exc)[:300],
        )
        self._db_failures_unreported, self._db_warned_at = 0, now


def _attempt(msg: Msg) -> int:
    """Which delivery of the message this is (1: the first)."""
    return msg.metadata.num_delivered if msg.metadata else 1
