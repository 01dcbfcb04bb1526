"""The records' consumer of the case event log: each event applied to its case's record, once and in order."""

from __future__ import annotations

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


class RecordProjector:
    def __init__(self, store: RecordStore) -> None:
        self._store = store

    async def handle(self, msg: Msg) -> Outcome:
        """Apply one event: ack once applied (or already applied); a gap is retried soon; no view is hopeless."""
        event = CaseEvent.model_validate_json(msg.data)
        try:
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
