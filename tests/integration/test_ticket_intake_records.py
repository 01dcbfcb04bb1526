"""Intake's idempotency once the `case_index` key has expired, on a real nats-server and a real PostgreSQL: the
bucket's key lifetime, resubmissions answered from the case records, and what happens when the records are down."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from nats.aio.client import Client as NATS
from nats.js import JetStreamContext
from nats.js.errors import KeyNotFoundError
from nats.js.kv import KeyValue
from prometheus_client import REGISTRY
from sqlalchemy.ext.asyncio import AsyncEngine

from services.contracts.subjects import CASE_INTAKE_STREAM, BucketSpec
from services.contracts.tickets import Ticket
from services.engines.jetstream import KV_DUPLICATE_WINDOW_SECONDS, declare_streams, key_value
from services.engines.records_db.connection import open_records
from services.intake.case_records import CaseRecords, RecordsUnavailable
from services.intake.ticket_intake import TicketIntake
from services.records.store import RecordStore
from tests.support.case_events import KEYRING, event
from tests.support.engines import NatsServer, free_port
from tests.support.polling import assert_eventually
from tests.support.recorded_cases import records_database
from tests.support.tickets import ticket_body

# Short enough to wait out in a test; the production default is 30 days.
TTL_SECONDS = 1.0
LIFETIME = timedelta(days=30)  # what intake is told keys live: the rule for a database that does not answer
OLD = datetime.now(UTC) - timedelta(days=40)


@pytest_asyncio.fixture(scope="module")
async def nats_js(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[tuple[NATS, JetStreamContext]]:
    server = NatsServer.at(Path(tmp_path_factory.mktemp("index-expiry")))
    await server.start()
    nc = await server.connect()
    js = nc.jetstream()
    await declare_streams(js, streams=[CASE_INTAKE_STREAM])
    try:
        yield nc, js
    finally:
        await nc.close()
        server.stop()


@pytest_asyncio.fixture(scope="module")
async def database(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[AsyncEngine]:
    async with records_database(Path(tmp_path_factory.mktemp("index-expiry-records"))) as engine:
        yield engine


async def short_lived_bucket(js: JetStreamContext) -> KeyValue:
    return await key_value(js, BucketSpec(name=f"index_{uuid.uuid4().hex[:10]}", ttl_seconds=TTL_SECONDS))


def intake(
    js: JetStreamContext,
    bucket: KeyValue,
    records: CaseRecords,
    *,
    key_lifetime: timedelta = LIFETIME,
    records_timeout: float = 1.0,
) -> TicketIntake:
    return TicketIntake(
        js=js,
        case_index=bucket,
        records=records,
        key_lifetime=key_lifetime,
        publish_timeout=5,
        records_timeout=records_timeout,
    )


async def intake_seq(js: JetStreamContext) -> int:
    return int((await js.stream_info(CASE_INTAKE_STREAM.name)).state.last_seq)


def lookups(result: str) -> float:
    return REGISTRY.get_sample_value("hotline_intake_records_lookups_total", {"result": result}) or 0.0


async def wait_until_expired(bucket: KeyValue, key: str) -> None:
    async def gone() -> None:
        try:
            entry = await bucket.get(key)
        except KeyNotFoundError:
            return
        raise AssertionError(f"{key} still holds revision {entry.revision}")

    await assert_eventually(gone, timeout=10 * TTL_SECONDS + 5, what=f"key {key} expired")


async def test_a_bucket_made_without_a_lifetime_is_given_one_at_start(nats_js: tuple[NATS, JetStreamContext]) -> None:
    _nc, js = nats_js
    name = f"index_{uuid.uuid4().hex[:10]}"
    old = await key_value(js, BucketSpec(name=name))  # as every release before keys expired made it
    await old.put("kept-for-ever-until-now", b"{}")
    assert (await js.stream_info(f"KV_{name}")).config.max_age == 0

    await key_value(js, BucketSpec(name=name, ttl_seconds=TTL_SECONDS))

    config = (await js.stream_info(f"KV_{name}")).config
    assert (config.max_age, config.duplicate_window) == (TTL_SECONDS, TTL_SECONDS)  # the window within the age
    await wait_until_expired(old, "kept-for-ever-until-now")
    # A longer lifetime later (the setting raised) gives the bucket back the usual duplicate window.
    await key_value(js, BucketSpec(name=name, ttl_seconds=30 * 86400.0))
    config = (await js.stream_info(f"KV_{name}")).config
    assert (config.max_age, config.duplicate_window) == (30 * 86400.0, KV_DUPLICATE_WINDOW_SECONDS)


async def test_a_resubmission_after_its_key_expired_is_answered_from_the_records(
    nats_js: tuple[NATS, JetStreamContext], database: AsyncEngine
) -> None:
    _nc, js = nats_js
    bucket = await short_lived_bucket(js)
    # Intake knows what the bucket's keys live, as both come from one setting; the ticket was reported minutes ago.
    tickets = intake(js, bucket, CaseRecords(database), key_lifetime=timedelta(seconds=TTL_SECONDS))
    ticket = Ticket.model_validate(ticket_body())

    receipt, created = await tickets.submit(ticket)
    assert created
    await RecordStore(database, KEYRING).apply(event(receipt.case_id, 1, personal=True))  # the records service's
    await wait_until_expired(bucket, receipt.case_id)
    published, found = await intake_seq(js), lookups("found")

    again, created_again = await tickets.submit(ticket)

    assert (again, created_again) == (receipt, False)
    assert await intake_seq(js) == published  # nothing published: no second case downstream
    assert lookups("found") == found + 1
    with pytest.raises(KeyNotFoundError):
        await bucket.get(receipt.case_id)  # the index is intake's record of receipts, not refilled


async def test_a_ticket_reported_within_the_key_lifetime_never_waits_for_the_records(
    nats_js: tuple[NATS, JetStreamContext], database: AsyncEngine
) -> None:
    """Had it come before, its key would still be there: new, or its first submission stopped between the publish
    and the key (the retry finishes it, 202), whatever the records hold."""
    _nc, js = nats_js
    bucket = await short_lived_bucket(js)
    ticket = Ticket.model_validate(ticket_body())
    first = await intake(js, bucket, CaseRecords(database), key_lifetime=timedelta(seconds=TTL_SECONDS)).submit(ticket)
    await RecordStore(database, KEYRING).apply(event(first[0].case_id, 1, personal=True))
    await wait_until_expired(bucket, first[0].case_id)  # as if intake had stopped before writing it
    lookups_before = sum(lookups(result) for result in ("found", "absent", "unavailable"))

    _receipt, created = await intake(js, bucket, CaseRecords(database)).submit(ticket)  # keys live 30 days

    assert created
    assert sum(lookups(result) for result in ("found", "absent", "unavailable")) == lookups_before


async def test_while_the_records_are_down_a_fresh_ticket_is_taken_and_an_old_one_refused(
    nats_js: tuple[NATS, JetStreamContext], database: AsyncEngine, tmp_path: Path
) -> None:
    _nc, js = nats_js
    bucket = await short_lived_bucket(js)
    # Nothing listens where the database should be: every connection is refused at once.
    down = CaseRecords(open_records(f"postgresql+asyncpg://postgres@/postgres?host={tmp_path}"))
    tickets = intake(js, bucket, down)
    unavailable = lookups("unavailable")
    try:
        fresh = Ticket.model_validate(ticket_body())
        receipt, created = await tickets.submit(fresh)
        assert created  # reported minutes ago: not looked up at all
        assert (await bucket.get(receipt.case_id)).value

        old = Ticket.model_validate(ticket_body(reported_at=OLD.isoformat()))
        published = await intake_seq(js)
        with pytest.raises(RecordsUnavailable):
            await tickets.submit(old)  # reported 40 days ago: it may be a resubmission whose key has expired
        assert await intake_seq(js) == published
        assert lookups("unavailable") == unavailable + 1
    finally:
        await down.engine.dispose()

    # The platform's retry, the records back: absent there too, so it is a late first submission.
    _old_receipt, created = await intake(js, bucket, CaseRecords(database)).submit(old)
    assert created


async def test_a_database_that_does_not_answer_holds_an_old_ticket_for_the_lookup_timeout_only(
    nats_js: tuple[NATS, JetStreamContext],
) -> None:
    _nc, js = nats_js
    bucket = await short_lived_bucket(js)
    held: list[asyncio.StreamWriter] = []

    async def black_hole(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)  # accepts the connection, never says a word (a partitioned or hung database)

    port = free_port()
    server = await asyncio.start_server(black_hole, "127.0.0.1", port)
    silent = CaseRecords(open_records(f"postgresql+asyncpg://postgres@127.0.0.1:{port}/postgres"))
    tickets = intake(js, bucket, silent, records_timeout=0.3)
    try:
        _receipt, created = await tickets.submit(Ticket.model_validate(ticket_body()))
        assert created
        began = asyncio.get_running_loop().time()
        with pytest.raises(RecordsUnavailable):
            await tickets.submit(Ticket.model_validate(ticket_body(reported_at=OLD.isoformat())))
        took = asyncio.get_running_loop().time() - began
        assert 0.3 <= took < 2.0, took
    finally:
        await silent.engine.dispose()
        for writer in held:
            writer.close()
        server.close()
        await server.wait_closed()
