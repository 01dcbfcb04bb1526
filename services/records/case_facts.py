"""The units' facts of a case kept beside its record (`unit_case_facts`), in the transaction that applies its
events: derived again from its whole log and its newest view (`unit_facts`), at no extra round trip.

- The case's earlier events come with the row lock the store takes anyway: the lock's query reads them.
- The facts ride on the record's upsert, in a CTE that upserts them from one JSON parameter. A case's log only
  grows, and so do its facts' keys (a stint or a joint task, once there, stays there), so none of its rows ever
  has to go. A restore, which writes a case whole, deletes them with the rest of the case first.

Each extra statement costs the store about 0.2 ms of CPU and PostgreSQL a parse, bind and execute: measured in the
commit that made this (`python -m bench.records_apply`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Select, String, Text, any_, bindparam, cast, column, func, select, true
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, Insert, aggregate_order_by, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.contracts.case_view import CaseView
from services.records.record_tables import RecordTables
from services.records.unit_facts import FACT_KINDS, CaseLogEvent, LoggedEvent, unit_facts

# The bound parameter the facts' CTE reads (a name no record column has).
FACTS_PARAMETER = "unit_facts_json"


class CaseFacts:
    def __init__(self, tables: RecordTables) -> None:
        records, events, facts = tables.records, tables.events, tables.facts
        # Built once, their values passed at each execution (see `RecordStore`).
        logged = (
            select(
                *(
                    func.array_agg(aggregate_order_by(events.c[name], events.c.sequence)).label(name)
                    for name in ("kind", "at", "actor")
                )
            )
            .where(
                events.c.case_id == records.c.case_id,
                events.c.sequence <= records.c.last_sequence,  # a rebuild's held events are not applied yet
                # One array parameter, not an IN list: an expanding IN is rendered again at every execution.
                events.c.kind == any_(bindparam("fact_kinds", sorted(FACT_KINDS), type_=ARRAY(String))),
            )
            .lateral("logged")
        )
        self.lock_with_log: Select[Any] = (
            select(records.c.last_sequence, logged.c.kind, logged.c.at, logged.c.actor)
            .select_from(records.join(logged, true()))
            .where(records.c.case_id == bindparam("case_id"))
            .with_for_update(of=records)
        )
        names = [c.name for c in facts.columns]
        given = (
            func.jsonb_to_recordset(cast(bindparam(FACTS_PARAMETER, type_=Text), JSONB))
            .table_valued(*(column(c.name, c.type) for c in facts.columns))
            .render_derived(with_types=True)
        )
        upsert = insert(facts).from_select(names, select(*(given.c[name] for name in names)))
        self._upsert = upsert.on_conflict_do_update(
            index_elements=[c.name for c in facts.primary_key],
            set_={c.name: upsert.excluded[c.name] for c in facts.columns if not c.primary_key},
        ).cte("facts")
        self._insert = facts.insert()

    @staticmethod
    def logged(locked: Row[Any] | None) -> list[LoggedEvent]:
        """The events of the case's log that its facts read, from the row `lock_with_log` read (None: no record)."""
        if locked is None or locked.kind is None:
            return []
        return [LoggedEvent(*event) for event in zip(locked.kind, locked.at, locked.actor, strict=True)]

    def with_facts(self, record_upsert: Insert) -> Insert:
        """The record's upsert, upserting the case's facts too (given as `FACTS_PARAMETER`, see `encoded`)."""
        return record_upsert.add_cte(self._upsert)

    @staticmethod
    def encoded(log: Sequence[CaseLogEvent], view: CaseView) -> str | None:
        """The facts of the case's log so far with its newest view, as the upsert's parameter (None: it has none)."""
        rows = [fact.row() for fact in unit_facts(log, view)]
        return json.dumps(rows, default=_iso) if rows else None

    async def insert(self, connection: AsyncConnection, log: Sequence[CaseLogEvent], view: CaseView) -> None:
        """Write the facts of a case that has none (restored whole)."""
        if rows := [fact.row() for fact in unit_facts(log, view)]:
            await connection.execute(self._insert, rows)


def _iso(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"not a fact's value: {type(value).__name__}")
