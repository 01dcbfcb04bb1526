"""Applies a case's events to its record, once each and in order: the projection's writes (PostgreSQL)."""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Row, bindparam, delete, func, select, text
from sqlalchemy.dialects.postgresql import Insert, insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.contracts.case_event_log import CaseEvent, EventFields, EventSource, PersonalData
from services.contracts.case_view import CaseView
from services.contracts.payload_keys import PayloadKeyring
from services.engines.sealed_data import unseal
from services.records.case_facts import FACTS_PARAMETER, CaseFacts
from services.records.projection import Placement, place
from services.records.record_tables import RecordTables
from services.records.ticket_columns import search_row, ticket_columns
from services.records.unit_facts import FACT_KINDS, LoggedEvent


class EventWithoutView(ValueError):
    """An event that carries no view of its case cannot make or move a record."""


def require_view(event: CaseEvent) -> None:
    """EventWithoutView unless the event carries its case's view."""
    if event.view is None:
        raise EventWithoutView(f"event {event.event_id} carries no view of its case")


class RecordStore:
    def __init__(self, engine: AsyncEngine, keyring: PayloadKeyring, tables: RecordTables | None = None) -> None:
        self._engine = engine
        self._keyring = keyring
        self._tables = tables or RecordTables()
        # The statements are built once, their values passed at each execution: built for each event, with its
        # values in them, they cost the records more CPU than running them (the upsert's `excluded` alone copies
        # every column of the table), about half of what an event cost the service.
        records = self._tables.records
        self._last_for_update = (
            select(records.c.last_sequence).where(records.c.case_id == bindparam("case_id")).with_for_update()
        )
        self._insert_event = self._tables.events.insert()
        self._upserts: dict[tuple[tuple[str, ...], bool], Insert] = {}
        self._facts = CaseFacts(self._tables)

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
            # Events that change the units' facts read the case's earlier events with it (one round trip).
            logged: list[LoggedEvent] = []
            if any(event.kind in FACT_KINDS for event in events):
                locked = (await connection.execute(self._facts.lock_with_log, {"case_id": case_id})).one_or_none()
                last, logged = (locked.last_sequence if locked else None), self._facts.logged(locked)
            else:
                last = await connection.scalar(self._last_for_update, {"case_id": case_id})
            for index in sorted(range(len(events)), key=lambda i: events[i].sequence):
                placements[index] = place(last, events[index].sequence)
                if placements[index] is Placement.APPLY:
                    applied.append(events[index])
                    last = events[index].sequence
            if not applied:
                return placements
            await connection.execute(self._insert_event, [_event_row(event) for event in applied])
            newest = applied[-1]
            assert newest.view is not None
            row = _record_row(case_id, newest.view, newest.sequence)
            # Only `received` carries the caller's data: later events keep the columns it filled.
            if (personal := next((e.personal for e in applied if e.personal is not None), None)) is not None:
                data = unseal(personal, self._keyring)
                row |= ticket_columns(case_id, data, self._keyring)
                search = search_row(case_id, row["title"], data, self._keyring, received_at=row["received_at"])
                await connection.execute(
                    insert(self._tables.search)
                    .values(**search)
                    .on_conflict_do_update(
                        index_elements=["case_id"], set_={k: v for k, v in search.items() if k != "case_id"}
                    )
                )
            # The units' facts, derived again from the whole log, ride on the record's upsert.
            facts = None
            if any(event.kind in FACT_KINDS for event in applied):
                facts = self._facts.encoded([*logged, *applied], newest.view)
            parameters = row if facts is None else {**row, FACTS_PARAMETER: facts}
            await connection.execute(self._upsert(tuple(row), with_facts=facts is not None), parameters)
        return placements

    def _upsert(self, columns: tuple[str, ...], *, with_facts: bool = False) -> Insert:
        """The record's insert, or update of every column but the key, for a row of these columns (two shapes: the
        `received` event's, with the ticket's columns, and every other's), upserting the case's facts with it or
        not."""
        if (statement := self._upserts.get((columns, with_facts))) is None:
            upsert = insert(self._tables.records)
            changed = {name: upsert.excluded[name] for name in columns if name != "case_id"}
            statement = upsert.on_conflict_do_update(index_elements=["case_id"], set_=changed)
            if with_facts:
                statement = self._facts.with_facts(statement)
            self._upserts[(columns, with_facts)] = statement
        return statement

    async def restore(self, view: CaseView, events: Sequence[CaseEvent], personal: PersonalData | None) -> None:
        """Write a case's record and its whole log (events 1..n, in order) in one transaction, replacing what the
        tables held of it: for a case rebuilt from its workflows rather than from the stream."""
        if not events or [event.sequence for event in events] != list(range(1, len(events) + 1)):
            raise ValueError(f"case {view.case_id}: a restored log holds events 1..n, in order")
        case_id = view.case_id
        row = _record_row(case_id, view, len(events))
        search = None
        if personal is not None:
            row |= ticket_columns(case_id, personal, self._keyring)
            search = search_row(case_id, row["title"], personal, self._keyring, received_at=row["received_at"])
        tables = self._tables
        async with self._engine.begin() as connection:
            await self._lock(connection, case_id)
            for table in tables.all():
                await connection.execute(delete(table).where(table.c.case_id == case_id))
            await connection.execute(tables.events.insert(), [_event_row(event) for event in events])
            if search is not None:
                await connection.execute(tables.search.insert().values(**search))
            await connection.execute(tables.records.insert().values(**row))
            await self._facts.insert(connection, events, view)

    async def hold(self, event: CaseEvent) -> None:
        """Keep an event whose predecessors are missing in the events table only, for a `restore` to take in.

        Only for a rebuild's own tables: in the records' tables every event belongs to a record that has applied it.
        """
        if self._tables.live:
            raise ValueError("events are held only in a rebuild's tables")
        statement = insert(self._tables.events).values(**_event_row(event))
        async with self._engine.begin() as connection:
            await connection.execute(statement.on_conflict_do_nothing(index_elements=["case_id", "sequence"]))

    async def events(self, case_id: str) -> list[CaseEvent]:
        """The events kept of a case, in order (without views: the record holds the view)."""
        table = self._tables.events
        async with self._engine.connect() as connection:
            rows = await connection.execute(select(table).where(table.c.case_id == case_id).order_by(table.c.sequence))
            return [_event_of(row) for row in rows]

    async def forget(self, case_id: str) -> None:
        """Remove what the tables hold of a case: for a rebuild's tables, so that the records keep their own copy."""
        if self._tables.live:
            raise ValueError("cases are forgotten only in a rebuild's tables")
        async with self._engine.begin() as connection:
            for table in self._tables.all():
                await connection.execute(delete(table).where(table.c.case_id == case_id))

    async def recorded(self, case_ids: Collection[str]) -> set[str]:
        """Those of the cases that have a record."""
        records = self._tables.records
        async with self._engine.connect() as connection:
            found = await connection.scalars(select(records.c.case_id).where(records.c.case_id.in_(list(case_ids))))
            return set(found)

    async def count(self) -> int:
        """How many cases have a record."""
        async with self._engine.connect() as connection:
            return int(await connection.scalar(select(func.count()).select_from(self._tables.records)) or 0)

    async def answers(self, *, timeout: float) -> bool:
        """The database answers `SELECT 1` within `timeout` seconds (for `/healthz`)."""
        try:
            async with asyncio.timeout(timeout), self._engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except (TimeoutError, OSError, DBAPIError):
            return False
        return True

    async def last_sequence(self, case_id: str) -> int | None:
        records = self._tables.records
        async with self._engine.connect() as connection:
            last: int | None = await connection.scalar(
                select(records.c.last_sequence).where(records.c.case_id == case_id)
            )
            return last

    async def _lock(self, connection: AsyncConnection, case_id: str) -> int | None:
        """The last sequence applied for the case, its row locked to the end of the transaction.

        The row lock orders two writers of the same case; a case's first event has no row to lock, and the event's
        primary key refuses the second of two racing inserts (the transaction then rolls back)."""
        records = self._tables.records
        last: int | None = await connection.scalar(
            select(records.c.last_sequence).where(records.c.case_id == case_id).with_for_update()
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


def _event_of(row: Row[Any]) -> CaseEvent:
    return CaseEvent(
        event_id=row.event_id,
        case_id=row.case_id,
        sequence=row.sequence,
        source=EventSource(row.source),
        kind=row.kind,
        at=row.at,
        actor=row.actor,
        detail=row.detail,
        fields=EventFields.model_validate(row.fields),
    )


def _record_row(case_id: str, view: CaseView, last_sequence: int) -> dict[str, Any]:
    """The record's columns for the case as `view` shows it after its event `last_sequence` (the view is kept
    without its timeline: the events are the timeline)."""
    if view.timeline:
        view = view.model_copy(update={"timeline": []})
    return {
        "case_id": case_id,
        "last_sequence": last_sequence,
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
        "place": view.routing.place if view.routing else None,
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
