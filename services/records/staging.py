"""A rebuild's own copies of the record tables, and their swap into the records in one transaction (PostgreSQL).

The rebuild writes into copies of `case_records`, `case_events`, `case_search` and `unit_case_facts` in the schema
`records_rebuild` (unlogged: a failed rebuild is run again, not recovered), while the records keep answering from
their own tables.
The swap then replaces, in one transaction, every case the rebuild made and keeps every other: a case neither the
stream nor Temporal holds any more has its only copy in the records. Readers see the old records until the commit
and the new ones after; the access log is never touched.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy import delete, exists, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.engines.records_db.tables import case_events, case_records, case_search, unit_case_facts
from services.records.record_tables import RecordTables

STAGING_SCHEMA = "records_rebuild"
# `pg_try_advisory_lock` key of the rebuild ("hotline:records:rebuild" as a number): one rebuild at a time.
REBUILD_LOCK_KEY = 0x686F746C_72656275


class RebuildRunning(RuntimeError):
    """Another rebuild holds the lock: two would write the same staging tables."""


@dataclass(frozen=True)
class SwapCounts:
    """What the swap did: cases replaced by the rebuild's, cases whose live record was further along (kept), and
    cases the rebuild did not make (kept as they were)."""

    replaced: int
    kept_newer: int
    kept: int


@asynccontextmanager
async def rebuild_lock(engine: AsyncEngine) -> AsyncIterator[None]:
    """Hold the rebuild's advisory lock (a session lock, on a connection of its own) while the block runs."""
    async with engine.connect() as connection:
        if not await connection.scalar(select(func.pg_try_advisory_lock(REBUILD_LOCK_KEY))):
            raise RebuildRunning("another rebuild of the records is running (it holds the rebuild's lock)")
        await connection.commit()
        try:
            yield
        finally:
            await connection.scalar(select(func.pg_advisory_unlock(REBUILD_LOCK_KEY)))
            await connection.commit()


async def create_staging(engine: AsyncEngine) -> RecordTables:
    """Empty staging tables shaped as the records' (columns and defaults; keys, no other index), and their names.

    A staging schema left by a rebuild that failed is dropped first."""
    async with engine.begin() as connection:
        await connection.execute(text(f"DROP SCHEMA IF EXISTS {STAGING_SCHEMA} CASCADE"))
        await connection.execute(text(f"CREATE SCHEMA {STAGING_SCHEMA}"))
        for table, key in (
            (case_records, "case_id"),
            (case_events, "case_id, sequence"),
            (case_search, "case_id"),
            (unit_case_facts, "case_id, unit, role, stint"),
        ):
            staged = f"{STAGING_SCHEMA}.{table.name}"
            await connection.execute(text(f"CREATE UNLOGGED TABLE {staged} (LIKE {table.name} INCLUDING DEFAULTS)"))
            await connection.execute(text(f"ALTER TABLE {staged} ADD PRIMARY KEY ({key})"))
    return RecordTables.in_schema(STAGING_SCHEMA)


async def drop_staging(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.execute(text(f"DROP SCHEMA IF EXISTS {STAGING_SCHEMA} CASCADE"))


async def swap_in(engine: AsyncEngine, staged: RecordTables) -> SwapCounts:
    """Replace the records' cases with the staged ones in one transaction; a live record further along than its
    staged copy (the records service ran during the rebuild) is kept, and so is every case not staged."""
    records = staged.records
    live = RecordTables()
    async with engine.begin() as connection:
        # Writers of the records wait until the commit (an apply then finds the swapped-in record); readers do not.
        names = ", ".join(table.name for table in live.all())
        await connection.execute(text(f"LOCK TABLE {names} IN SHARE ROW EXCLUSIVE MODE"))
        current = case_records.alias("live")  # the same table name in another schema: told apart by an alias
        newer = await connection.execute(
            delete(records).where(
                records.c.case_id == current.c.case_id, current.c.last_sequence > records.c.last_sequence
            )
        )
        # Rows held for a case that no record came of (its log could not be completed).
        for table in (staged.events, staged.search, staged.facts):
            await connection.execute(delete(table).where(~exists().where(records.c.case_id == table.c.case_id)))
        for table in live.all():
            await connection.execute(delete(table).where(table.c.case_id.in_(select(records.c.case_id))))
        counts = {}
        for table, copy in zip(live.all()[::-1], staged.all()[::-1], strict=True):
            columns = [column.name for column in table.columns]
            inserted = await connection.execute(
                insert(table).from_select(columns, select(*(copy.c[name] for name in columns)))
            )
            counts[table.name] = inserted.rowcount
        total = await connection.scalar(select(func.count()).select_from(case_records))
    replaced = counts[case_records.name]
    return SwapCounts(replaced=replaced, kept_newer=newer.rowcount, kept=int(total or 0) - replaced)
