"""Applies a case's events to its record, once each and in order: the projection's writes (PostgreSQL)."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from services.contracts.case_event_log import CaseEvent
from services.records.projection import Placement, place
from services.records.tables import case_events, case_records


class EventWithoutView(ValueError):
    """An event that carries no view of its case cannot make or move a record."""


class RecordStore:
    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def apply(self, event: CaseEvent) -> Placement:
        """Apply the event if it is its case's next; a duplicate changes nothing, a gap waits (nothing written)."""
        if event.view is None:
            raise EventWithoutView(f"event {event.event_id} carries no view of its case")
        async with self._engine.begin() as connection:
            # The row lock orders two appliers of the same case; a case's first event has no row to lock, and the
            # event's primary key refuses the second of two racing inserts (the transaction then rolls back).
            last = await connection.scalar(
                select(case_records.c.last_sequence).where(case_records.c.case_id == event.case_id).with_for_update()
            )
            placement = place(last, event.sequence)
            if placement is not Placement.APPLY:
                return placement
            await connection.execute(
                case_events.insert().values(
                    case_id=event.case_id,
                    sequence=event.sequence,
                    event_id=event.event_id,
                    source=event.source.value,
                    kind=event.kind,
                    at=event.at,
                    actor=event.actor,
                    fields=event.fields.model_dump(mode="json", exclude_none=True),
                )
            )
            row = _record_row(event)
            upsert = insert(case_records).values(**row)
            changed: dict[str, Any] = {
                name: upsert.excluded[name] for name in row if name not in ("case_id", "personal")
            }
            # Only `received` carries the caller's data: later events keep what it stored.
            changed["personal"] = func.coalesce(upsert.excluded.personal, case_records.c.personal)
            await connection.execute(upsert.on_conflict_do_update(index_elements=["case_id"], set_=changed))
        return placement

    async def answers(self, *, timeout: float) -> bool:
        """The database answers `SELECT 1` within `timeout` seconds (for `/healthz`)."""
        try:
            async with asyncio.timeout(timeout), self._engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except (TimeoutError, OSError, DBAPIError):
            return False
        return True

    async def last_sequence(self, case_id: str) -> int | None:
        async with self._engine.connect() as connection:
            last: int | None = await connection.scalar(
                select(case_records.c.last_sequence).where(case_records.c.case_id == case_id)
            )
            return last


def _record_row(event: CaseEvent) -> dict[str, Any]:
    view = event.view
    assert view is not None
    return {
        "case_id": event.case_id,
        "last_sequence": event.sequence,
        "status": view.status.value,
        "channel": view.channel,
        "external_id": view.external_id,
        "title": view.title,
        "urgency": view.urgency,
        "catalog_item": view.catalog_item,
        "catalog_version": view.catalog_version,
        "policy_version": view.policy_version,
        "first_contact_unit": view.first_contact_unit,
        "handling_unit": view.handling_unit,
        "township": view.township,
        "calling_unit": view.calling_unit,
        "escalation_level": view.escalation_level,
        "overdue": view.overdue,
        "reworks": view.reworks,
        "received_at": view.received_at,
        "closed_at": view.closed_at,
        "closed_reason": view.closed_reason,
        "personal": event.personal.model_dump(mode="json") if event.personal else None,
        "view": view.model_dump(mode="json"),
        "updated_at": datetime.now(UTC),
    }
