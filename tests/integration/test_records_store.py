"""The case records on a real PostgreSQL: migrations, each event applied once and in order, personal data sealed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from services.contracts.case_event_log import (
    SealedData,
)
from services.engines.sealed_data import unseal
from services.records.migrate import downgrade, migrate
from services.records.projection import Placement
from services.records.store import RecordStore
from services.records.tables import case_events, case_records
from tests.support.case_events import KEYRING, KINDS, PHONE, event
from tests.support.engines import PostgresServer


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def engine(tmp_path_factory: object) -> AsyncIterator[AsyncEngine]:
    workdir = Path(tmp_path_factory.mktemp("records"))  # type: ignore[attr-defined]
    server = PostgresServer.at(workdir)
    await server.start()
    database = create_async_engine(server.url)
    try:
        await migrate(database)
        yield database
    finally:
        await database.dispose()
        server.stop()


async def test_each_event_is_applied_once_and_in_order(engine: AsyncEngine) -> None:
    store = RecordStore(engine)
    case_id = "0b6f3c1e-0000-4000-8000-000000000001"

    assert await store.apply(event(case_id, 2)) is Placement.GAP  # its first event has not come yet
    assert await store.last_sequence(case_id) is None
    assert await store.apply(event(case_id, 1, personal=True)) is Placement.APPLY
    assert await store.apply(event(case_id, 1, personal=True)) is Placement.DUPLICATE
    assert await store.apply(event(case_id, 3)) is Placement.GAP
    assert [await store.apply(event(case_id, n)) for n in (2, 3, 4, 5)] == [Placement.APPLY] * 4
    assert await store.apply(event(case_id, 4)) is Placement.DUPLICATE

    async with engine.connect() as connection:
        record = (await connection.execute(select(case_records).where(case_records.c.case_id == case_id))).one()
        kinds = (
            await connection.execute(
                select(case_events.c.kind).where(case_events.c.case_id == case_id).order_by(case_events.c.sequence)
            )
        ).scalars()
        assert list(kinds) == KINDS
    assert (record.last_sequence, record.status, record.handling_unit) == (5, "closed", "water")
    assert record.view["status"] == "closed"
    # The caller's data came with `received` and stays, sealed, through the later events.
    assert record.personal is not None
    opened = unseal(SealedData.model_validate(record.personal), KEYRING)
    assert opened.caller is not None and opened.caller.phone == PHONE


async def test_the_raw_tables_hold_no_personal_data_in_clear(engine: AsyncEngine) -> None:
    case_id = "0b6f3c1e-0000-4000-8000-000000000002"
    await RecordStore(engine).apply(event(case_id, 1, personal=True))

    async with engine.connect() as connection:
        dumped = await connection.scalar(
            text("select string_agg(t::text, '') from case_records t where case_id = :id"), {"id": case_id}
        )
    assert dumped is not None and case_id in dumped
    for secret in (PHONE, "王女士", "幸福家园"):
        assert secret not in dumped


async def test_migrations_go_down_to_an_empty_database_and_up_again(engine: AsyncEngine) -> None:
    await downgrade(engine, "base")
    async with engine.connect() as connection:
        tables = await connection.scalar(
            text("select count(*) from information_schema.tables where table_name in ('case_records','case_events')")
        )
    assert tables == 0

    await migrate(engine)

    async with engine.connect() as connection:
        revision = await connection.scalar(text("select version_num from alembic_version"))
    assert revision == "0001"
    assert await RecordStore(engine).apply(event("0b6f3c1e-0000-4000-8000-000000000003", 1)) is Placement.APPLY
