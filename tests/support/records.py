"""The case records as a test compares them: a case's record and events as plain values, the ticket opened; the
`hotline records` command run against a test system; the records service stopped for a while."""

from __future__ import annotations

import asyncio
import dataclasses
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Client

from services.contracts.case_ids import workflow_id_for
from services.contracts.case_workflow import INTERNAL_STATE_QUERY
from services.contracts.payload_keys import PayloadKeyring
from services.engines.records_db.personal_columns import COLUMNS, open_columns
from services.engines.records_db.tables import case_events, case_records, case_search, unit_case_facts
from tests.support.polling import assert_eventually
from tests.support.services import REPO_ROOT
from tests.support.system import RunningSystem

# Sealed each time anew (a fresh nonce), and stamped when written: compared opened, or not at all.
UNCOMPARED = {*COLUMNS, "updated_at"}


async def record_of(database: AsyncEngine, case_id: str, keyring: PayloadKeyring) -> dict[str, Any]:
    """The case's record (the ticket opened), its search tokens, its events and its units' facts, as plain values."""
    async with database.connect() as connection:
        row = (await connection.execute(select(case_records).where(case_records.c.case_id == case_id))).one()
        events = await connection.execute(
            select(case_events).where(case_events.c.case_id == case_id).order_by(case_events.c.sequence)
        )
        event_rows = [dict(event._mapping) for event in events]
        search = (await connection.execute(select(case_search).where(case_search.c.case_id == case_id))).one_or_none()
        facts = await connection.execute(
            select(unit_case_facts)
            .where(unit_case_facts.c.case_id == case_id)
            .order_by(unit_case_facts.c.role, unit_case_facts.c.unit, unit_case_facts.c.stint)
        )
        fact_rows = [dict(fact._mapping) for fact in facts]
    ticket = open_columns(case_id, row, keyring)
    record = {name: value for name, value in row._mapping.items() if name not in UNCOMPARED}
    return {
        "record": record,
        "ticket": dataclasses.asdict(ticket) if ticket else None,
        "search": dict(search._mapping) if search else None,
        "events": event_rows,
        "facts": fact_rows,
    }


async def recorded_case_ids(database: AsyncEngine) -> set[str]:
    async with database.connect() as connection:
        return set(await connection.scalars(select(case_records.c.case_id)))


async def wait_until_recorded(database: AsyncEngine, temporal: Client, case_id: str) -> None:
    """Until the records have applied every event the case's workflow has published."""

    async def check() -> None:
        state = await temporal.get_workflow_handle(workflow_id_for(case_id)).query(
            INTERNAL_STATE_QUERY, result_type=dict
        )
        async with database.connect() as connection:
            last = await connection.scalar(
                select(case_records.c.last_sequence).where(case_records.c.case_id == case_id)
            )
        assert last == state["event_sequence"], (last, state["event_sequence"])

    await assert_eventually(check, timeout=20, what=f"case {case_id} recorded to its last event")


async def hotline(system: RunningSystem, *args: str, timeout: float = 60) -> str:
    """Run `hotline …` with the records service's settings; its output, once it has succeeded."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "services.admin",
        *args,
        env=system.services["records"].env,
        cwd=REPO_ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout)
    assert process.returncode == 0, f"hotline {' '.join(args)}: {err.decode()}{out.decode()[-2000:]}"
    return out.decode()


@asynccontextmanager
async def records_service_stopped(system: RunningSystem) -> AsyncIterator[None]:
    """The records service stopped (as an operator scales it to 0) while the block runs, started again after."""
    records = system.services["records"]
    await asyncio.to_thread(records.stop)
    try:
        yield
    finally:
        await records.start()
