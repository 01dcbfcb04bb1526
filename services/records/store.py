"""Applies a case's events to its record, once each and in order: the projection's writes (PostgreSQL)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.dialects.postgresql import Insert, insert
from sqlalchemy.ext.asyncio import AsyncEngine

from services.contracts.case_event_log import CaseEvent
from services.contracts.case_view import CaseView
from services.contracts.payload_keys import PayloadKeyring
from services.engines.records_db.tables import case_events, case_records
from services.engines.sealed_data import unseal
from services.records.projection import Placement, place
from services.records.ticket_columns import ticket_columns

# The statements are built once, their values passed at each execution: built for each event, with its values in
# them, they cost the records more CPU than running them (the upsert's `excluded` alone copies every column of the
# table), about half of what an event cost the service.
_LAST_SEQUENCE_FOR_UPDATE = (
    select(case_records.c.last_sequence).where(case_records.c.case_id == bindparam("case_id")).with_for_update()
)
_INSERT_EVENT = case_events.insert()


@cache
def _upsert(columns: tuple[str, ...]) -> Insert:
    """The record's insert, or update of every column but the key, for a row of these columns (two shapes: the
    `received` event's, with the ticket's columns, and every other's)."""
    upsert = insert(case_records)
    changed = {name: upsert.excluded[name] for name in columns if name != "case_id"}
    return upsert.on_conflict_do_update(index_elements=["case_id"], set_=changed)


class EventWithoutView(ValueError):
    """An event that carries no view of its case cannot make or move a record."""


def require_view(event: CaseEvent) -> None:
    """EventWithoutView unless the event carries its case's view."""
    if event.view is None:
        raise EventWithoutView(f"event {event.event_id} carries no view of its case")


class RecordStore:
    def __init__(self, engine: AsyncEngine, keyring: PayloadKeyring) -> None:
        self._engine = engine
        self._keyring = keyring

    async def apply(self, event: CaseEvent) -> Placement:
        """Apply the event if it is its case's next; a duplicate changes nothing, a gap waits (nothing written)."""
        return (await self.apply_events([event]))[0]

    async def apply_events(self, events: Sequence[CaseEvent]) -> list[Placement]:
        """Apply, in one transaction and in sequence order, those of one case's events that come next; each event's
        placement, in the order given. A duplicate changes nothing; after a gap the later ones wait too."""
        if not events:
            return []
        for event in events:
            require_view(event)
        if len({event.case_id for event in events}) > 1:
            raise ValueError("the events of one case at a time")
        case_id = events[0].case_id
        placements = [Placement.DUPLICATE] * len(events)
        applied: list[CaseEvent] = []
        async with self._engine.begin() as connection:
            # The row lock orders two appliers of the same case; a case's first event has no row to lock, and the
            # event's primary key refuses the second of two racing inserts (the transaction then rolls back).
            last = await connection.scalar(_LAST_SEQUENCE_FOR_UPDATE, {"case_id": case_id})
            for index in sorted(range(len(events)), key=lambda i: events[i].sequence):
                placements[index] = place(last, events[index].sequence)
                if placements[index] is Placement.APPLY:
                    applied.append(events[index])
                    last = events[index].sequence
            if not applied:
                return placements
            await connection.execute(_INSERT_EVENT, [_event_row(event) for event in applied])
            # The record as the last of them left it, with the caller's data if `received` is among them: later
            # events keep the columns it filled.
            row = _record_row(applied[-1])
            if (personal := next((e.personal for e in applied if e.personal is not None), None)) is not None:
                row |= ticket_columns(case_id, row["title"], unseal(personal, self._keyring), self._keyring)
            await connection.execute(_upsert(tuple(row)), row)
        return placements

    async def last_sequence(self, case_id: str) -> int | None:
        async with self._engine.connect() as connection:
            last: int | None = await connection.scalar(
                select(case_records.c.last_sequence).where(case_records.c.case_id == case_id)
            )
            return last


def _event_row(event: CaseEvent) -> dict[str, Any]:
    return {
        "case_id": event.case_id,
        "sequence": event.sequence,
        "event_id": event.event_id,
        "source": event.source.value,
        "kind": event.kind,
        "at": event.at,
        "actor": event.actor,
        "detail": event.detail,
        "fields": event.fields.model_dump(mode="json", exclude_none=True),
    }


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
        "units": sorted(involved_units(view)),
        "joint_units": sorted(
            task.unit for phase in view.joint_phases if phase.open for task in phase.tasks if not task.finished
        ),
        "sign_for_due": view.deadlines.sign_for,
        "feedback_due": view.deadlines.feedback,
        "resolution_due": view.deadlines.resolution,
        "rating_outcome": view.rating.outcome.value if view.rating else None,
        "view": view.model_dump(mode="json"),
        "updated_at": datetime.now(UTC),
    }


def involved_units(view: CaseView) -> set[str]:
    """Every unit the case is or was in the hands of: the ones that may find it."""
    units = {view.first_contact_unit, view.handling_unit, view.calling_unit}
    units |= {transfer.from_unit for transfer in view.transfers}
    units |= {task.unit for phase in view.joint_phases for task in phase.tasks}
    return {unit for unit in units if unit}
