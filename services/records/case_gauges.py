"""Open and overdue cases by handling unit, as gauges for the cases dashboard, counted from the case records.

Counted in the database every `interval_seconds` rather than kept up by the projector: a count follows from every
event of every case (an overdue flag set by a deadline, a transfer moving a case between units) and from the
records' rebuilds, and one grouped count of the open cases (tens of thousands for a city) is cheap. Every records
replica counts the same table: the dashboards take `max by (unit)`.
"""

from __future__ import annotations

import asyncio
import contextlib
import time

import structlog
from prometheus_client import Gauge
from sqlalchemy import func, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from services.contracts.cases import CaseStatus
from services.engines.records_db.tables import case_records

log = structlog.get_logger(__name__)

OPEN_CASES = Gauge("hotline_cases_open", "Cases not closed, by handling unit (from the case records).", ["unit"])
OVERDUE_CASES = Gauge(
    "hotline_cases_overdue", "Cases not closed that are past a deadline, by handling unit (case records).", ["unit"]
)
COUNTED_AT = Gauge("hotline_cases_counted_timestamp_seconds", "When the open and overdue cases were last counted.")

# Cases the router could not place (in triage) have no handling unit yet.
NO_UNIT = "none"


async def count_open_cases(engine: AsyncEngine) -> dict[str, tuple[int, int]]:
    """Per handling unit: (open cases, of which overdue)."""
    unit = func.coalesce(case_records.c.handling_unit, NO_UNIT)
    query = (
        select(unit, func.count(), func.count().filter(case_records.c.overdue))
        .where(case_records.c.status != CaseStatus.CLOSED.value)
        .group_by(unit)
    )
    async with engine.connect() as connection:
        rows = (await connection.execute(query)).all()
    return {str(row[0]): (int(row[1]), int(row[2])) for row in rows}


def publish(counts: dict[str, tuple[int, int]], *, previous: set[str]) -> set[str]:
    """Set the gauges; a unit that had cases and has none now reads 0 (not a series that vanishes)."""
    for unit in previous - counts.keys():
        OPEN_CASES.labels(unit).set(0)
        OVERDUE_CASES.labels(unit).set(0)
    for unit, (open_cases, overdue) in counts.items():
        OPEN_CASES.labels(unit).set(open_cases)
        OVERDUE_CASES.labels(unit).set(overdue)
    COUNTED_AT.set(time.time())
    return previous | counts.keys()


async def keep_counting(engine: AsyncEngine, *, interval_seconds: float, stop: asyncio.Event) -> None:
    """Count now and every `interval_seconds` until `stop`; a database that does not answer is tried next time."""
    units: set[str] = set()
    while not stop.is_set():
        try:
            units = publish(await count_open_cases(engine), previous=units)
        except (OSError, DBAPIError) as exc:
            log.warning("case_gauges.count_failed", error=str(exc))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval_seconds)
