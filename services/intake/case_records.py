"""Reads the case records (PostgreSQL): a case the workflow engine no longer holds, and whether a ticket is known."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import structlog
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.contracts.case_event_log import EventSource
from services.contracts.case_view import CaseView, TimelineEntry
from services.contracts.problem_codes import ProblemCode
from services.engines.records_db.tables import case_events, case_records
from services.intake.errors import Unavailable

log = structlog.get_logger(__name__)
E = TypeVar("E", bound=Any)  # an event row: `sequence` and `source`


class RecordsUnavailable(Unavailable):
    """The records' database did not answer (503, try again)."""

    code = ProblemCode.RECORDS_UNAVAILABLE


class CaseRecords:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    @property
    def engine(self) -> AsyncEngine:
        return self._engine

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncConnection]:
        """A connection to read with; a database that does not answer is a 503, not a 500."""
        try:
            async with self._engine.connect() as connection:
                yield connection
        except (DBAPIError, OSError) as exc:
            log.warning("records.unavailable", error=type(exc).__name__)
            raise RecordsUnavailable("the case records did not answer; try again shortly") from exc

    @asynccontextmanager
    async def writing(self) -> AsyncIterator[AsyncConnection]:
        """A transaction to write in, committed when the block ends; a database that does not answer is a 503."""
        try:
            async with self._engine.begin() as connection:
                yield connection
        except (DBAPIError, OSError) as exc:
            log.warning("records.unavailable", error=type(exc).__name__)
            raise RecordsUnavailable("the case records did not answer; try again shortly") from exc

    async def view(self, case_id: str) -> CaseView | None:
        """The case as its last recorded event left it, its timeline rebuilt from its events; None if unrecorded."""
        async with self.reading() as connection:
            stored = await connection.scalar(select(case_records.c.view).where(case_records.c.case_id == case_id))
            if stored is None:
                return None
            events = (
                await connection.execute(
                    select(
                        case_events.c.sequence,
                        case_events.c.source,
                        case_events.c.at,
                        case_events.c.actor,
                        case_events.c.kind,
                        case_events.c.detail,
                    )
                    .where(case_events.c.case_id == case_id)
                    .order_by(case_events.c.sequence)
                )
            ).all()
        timeline = [
            TimelineEntry(at=event.at, actor=event.actor, action=event.kind, detail=event.detail)
            for event in shown_in_timeline(events)
        ]
        return CaseView.model_validate(stored).model_copy(update={"timeline": timeline})

    async def exists(self, case_id: str) -> bool:
        async with self.reading() as connection:
            found = await connection.scalar(select(case_records.c.case_id).where(case_records.c.case_id == case_id))
        return found is not None


def shown_in_timeline(events: Sequence[E]) -> list[E]:
    """The events the case's own timeline shows: once a case workflow runs, its timeline holds the ticket's receipt
    (the triage's first event) and its own events, not the triage's steps, which stay in the records' events."""
    if not any(event.source == EventSource.CASE for event in events):
        return list(events)
    return [event for event in events if event.source == EventSource.CASE or event.sequence == 1]
