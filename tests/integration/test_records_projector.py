"""The records follow the case event log on real engines: every event once, in order, whatever the stream holds,
and whether or not the database was there when it came."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest_asyncio
from nats.js import JetStreamContext
from prometheus_client import REGISTRY
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from services.contracts.case_event_log import case_events_subject
from services.contracts.subjects import CASE_EVENTS_STREAM, RECORDS_CONSUMER
from services.engines.jetstream import declare_streams
from services.engines.pull_consumer import run_pull_consumer
from services.engines.records_db.tables import case_events, case_records
from services.records.migrate import migrate
from services.records.projector import DB_ERRORS, RecordProjector
from services.records.store import RecordStore
from tests.support.case_events import KEYRING, event
from tests.support.engines import NatsServer, PostgresServer
from tests.support.polling import assert_eventually


@dataclass(frozen=True)
class Engines:
    js: JetStreamContext
    database: AsyncEngine
    postgres: PostgresServer


@pytest_asyncio.fixture(loop_scope="session")
async def engines(tmp_path: Path) -> AsyncIterator[Engines]:
    nats_server, postgres = NatsServer.at(tmp_path), PostgresServer.at(tmp_path)
    await asyncio.gather(nats_server.start(), postgres.start())
    nc = await nats_server.connect()
    database = create_async_engine(postgres.url, pool_pre_ping=True)  # outlives a restart of the server
    try:
        await migrate(database, keyring=KEYRING)
        js = nc.jetstream()
        await declare_streams(js, streams=[CASE_EVENTS_STREAM])
        yield Engines(js, database, postgres)
    finally:
        await nc.close()
        await database.dispose()
        postgres.stop()
        nats_server.stop()


async def publish(js: JetStreamContext, case_id: str, sequence: int, *, msg_id: str | None = None) -> None:
    published = event(case_id, sequence, personal=sequence == 1)
    await js.publish(
        case_events_subject(case_id),
        published.model_dump_json().encode(),
        headers={"Nats-Msg-Id": msg_id or published.event_id},
    )


async def test_out_of_order_and_repeated_events_make_each_record_once(engines: Engines) -> None:
    js, database = engines.js, engines.database
    cases = [f"5d1c2a30-0000-4000-8000-{n:012d}" for n in range(1, 21)]
    for case_id in cases:
        # The stream holds the second event before the first (a gap the projection waits out), and the third twice
        # under different message ids (a republish JetStream could not recognise): both as after a worker outage.
        for sequence in (2, 1, 3, 4, 5):
            await publish(js, case_id, sequence)
        await publish(js, case_id, 3, msg_id=f"{case_id}:again:3")
    stop = asyncio.Event()
    projector = RecordProjector(RecordStore(database, KEYRING))
    following = asyncio.create_task(run_pull_consumer(js, RECORDS_CONSUMER, projector.handle, stop=stop, batch=16))
    try:

        async def all_closed() -> None:
            async with database.connect() as connection:
                closed = await connection.scalar(
                    select(func.count()).select_from(case_records).where(case_records.c.last_sequence == 5)
                )
            assert closed == len(cases)

        await assert_eventually(all_closed, timeout=30, what="every case's five events applied")
    finally:
        stop.set()
        await following

    async with database.connect() as connection:
        per_case = (
            await connection.execute(select(case_events.c.case_id, func.count()).group_by(case_events.c.case_id))
        ).all()
        statuses = set((await connection.execute(select(case_records.c.status))).scalars())
    assert sorted(count for _case, count in per_case) == [5] * len(cases)
    assert statuses == {"closed"}
    info = await js.consumer_info(CASE_EVENTS_STREAM.name, RECORDS_CONSUMER.durable)
    assert (info.num_pending, info.num_ack_pending) == (0, 0)


async def test_events_logged_while_the_database_is_down_are_applied_once_it_is_back(engines: Engines) -> None:
    js = engines.js
    cases = [f"6e2d3b40-0000-4000-8000-{n:012d}" for n in range(1, 11)]
    for case_id in cases:
        for sequence in (1, 2):
            await publish(js, case_id, sequence)
    store = RecordStore(engines.database, KEYRING)
    stop = asyncio.Event()
    following = asyncio.create_task(run_pull_consumer(js, RECORDS_CONSUMER, RecordProjector(store).handle, stop=stop))
    try:

        async def applied(sequence: int) -> None:
            async with engines.database.connect() as connection:
                count = await connection.scalar(
                    select(func.count()).select_from(case_records).where(case_records.c.last_sequence == sequence)
                )
            assert count == len(cases)

        await assert_eventually(lambda: applied(2), timeout=20, what="every case's first two events applied")
        await asyncio.to_thread(engines.postgres.kill)
        assert not await store.answers(timeout=1.0)
        errors_before = DB_ERRORS._value.get()
        for case_id in cases:
            for sequence in (3, 4, 5):
                await publish(js, case_id, sequence)

        async def failing() -> None:
            assert DB_ERRORS._value.get() >= errors_before + len(cases)

        await assert_eventually(failing, timeout=10, what="the consumer met the database's absence")
        await engines.postgres.start()
        assert await store.answers(timeout=5.0)
        await assert_eventually(lambda: applied(5), timeout=30, what="every case's five events applied")
    finally:
        stop.set()
        await following

    async with engines.database.connect() as connection:
        per_case = (
            await connection.execute(select(case_events.c.case_id, func.count()).group_by(case_events.c.case_id))
        ).all()
    assert sorted(count for _case, count in per_case) == [5] * len(cases)
    info = await js.consumer_info(CASE_EVENTS_STREAM.name, RECORDS_CONSUMER.durable)
    assert (info.num_pending, info.num_ack_pending) == (0, 0)


async def test_a_new_case_s_events_fetched_together_are_applied_in_turn_none_waiting_out_a_gap(
    engines: Engines,
) -> None:
    js, database = engines.js, engines.database
    cases = [f"6e2d3b41-0000-4000-8000-{n:012d}" for n in range(1, 31)]
    for case_id in cases:
        # As a new case's first workflow task publishes them: back to back, in order, all in the stream before the
        # records fetch (a batch then holds each case's three events at once).
        for sequence in (1, 2, 3):
            await publish(js, case_id, sequence)

    def gaps() -> float:
        return REGISTRY.get_sample_value("hotline_records_events_total", {"placement": "gap"}) or 0.0

    gaps_before = gaps()
    stop = asyncio.Event()
    projector = RecordProjector(RecordStore(database, KEYRING))
    following = asyncio.create_task(run_pull_consumer(js, RECORDS_CONSUMER, projector.handle, stop=stop, batch=64))
    try:

        async def all_applied() -> None:
            async with database.connect() as connection:
                applied = await connection.scalar(
                    select(func.count()).select_from(case_records).where(case_records.c.last_sequence == 3)
                )
            assert applied == len(cases)

        await assert_eventually(all_applied, timeout=30, what="every case's three events applied")
    finally:
        stop.set()
        await following

    # A gap sends its event back to wait a quarter of a second (twice for some): the lag a reader would see.
    assert gaps() - gaps_before == 0
