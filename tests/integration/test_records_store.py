"""The case records on a real PostgreSQL: migrations, each event applied once and in order, personal data sealed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import astuple
from pathlib import Path

import pytest_asyncio
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.contracts.case_event_log import CaseEvent
from services.contracts.cases import RoutingDecision, RoutingMethod
from services.engines.records_db.address_keys import place_key, place_keys
from services.engines.records_db.personal_columns import open_columns
from services.engines.records_db.search_tokens import hashed, query_tokens, search_key
from services.engines.records_db.tables import case_events, case_records, case_search
from services.engines.sealed_data import seal
from services.records import migrate as migrate_module
from services.records.migrate import downgrade, migrate
from services.records.projection import Placement
from services.records.store import RecordStore
from tests.support.case_events import KEYRING, KINDS, PHONE, RECEIVED, event, personal_data
from tests.support.recorded_cases import records_database


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def engine(tmp_path_factory: object) -> AsyncIterator[AsyncEngine]:
    async with records_database(Path(tmp_path_factory.mktemp("records"))) as database:  # type: ignore[attr-defined]
        yield database


async def test_each_event_is_applied_once_and_in_order(engine: AsyncEngine) -> None:
    store = RecordStore(engine, KEYRING)
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
    opened = open_columns(case_id, record, KEYRING)
    assert opened is not None and (opened.caller_phone, opened.address) == (PHONE, "幸福家园3号楼")
    assert (record.personal_key_id, record.units, record.joint_units) == ("k1", ["water"], [])
    assert record.reported_at == RECEIVED
    # The timeline's words travel with each event.
    async with engine.connect() as connection:
        details = await connection.scalar(select(case_events.c.detail).where(case_events.c.case_id == case_id))
    assert details == "step 1"


async def test_a_case_s_events_applied_together_are_applied_in_sequence_order_each_once(engine: AsyncEngine) -> None:
    store = RecordStore(engine, KEYRING)
    case_id = "0b6f3c1e-0000-4000-8000-000000000010"

    # Given out of order and one of them twice (a redelivery in hand beside the first delivery).
    together = [event(case_id, 2), event(case_id, 1, personal=True), event(case_id, 3), event(case_id, 2)]
    assert await store.apply_events(together) == [Placement.APPLY] * 3 + [Placement.DUPLICATE]
    # After a gap the later events wait too, and nothing is written.
    assert await store.apply_events([event(case_id, 5)]) == [Placement.GAP]
    assert await store.apply_events([event(case_id, 3), event(case_id, 4), event(case_id, 5)]) == [
        Placement.DUPLICATE,
        Placement.APPLY,
        Placement.APPLY,
    ]

    async with engine.connect() as connection:
        record = (await connection.execute(select(case_records).where(case_records.c.case_id == case_id))).one()
        sequences = (
            await connection.execute(
                select(case_events.c.sequence).where(case_events.c.case_id == case_id).order_by(case_events.c.sequence)
            )
        ).scalars()
        assert list(sequences) == [1, 2, 3, 4, 5]
    assert (record.last_sequence, record.status) == (5, "closed")
    # `received` was applied in the batch with two later events: its ticket columns are the record's.
    opened = open_columns(case_id, record, KEYRING)
    assert opened is not None and opened.caller_phone == PHONE


async def test_the_sealed_text_is_found_by_its_tokens(engine: AsyncEngine) -> None:
    case_id = "0b6f3c1e-0000-4000-8000-000000000004"
    await RecordStore(engine, KEYRING).apply(event(case_id, 1, personal=True))
    key = search_key(KEYRING, "k1")

    async def found(query: str) -> bool:
        tokens = hashed(query_tokens(query), key)
        async with engine.connect() as connection:
            hit = await connection.scalar(
                select(case_search.c.case_id).where(
                    case_search.c.case_id == case_id, case_search.c.tokens.contains(tokens)
                )
            )
        return hit is not None

    # Title 小区停水, description 停水两天, address 幸福家园3号楼.
    assert [await found(q) for q in ("停水", "两天", "幸福家园", "3", "小区")] == [True] * 5
    assert [await found(q) for q in ("停电", "王女士", PHONE)] == [False] * 3


async def test_a_case_s_place_is_kept_as_keyed_hashes_beside_its_tokens(engine: AsyncEngine) -> None:
    """The classes of cases find "the same address" by these numbers: the address itself stays sealed."""
    store = RecordStore(engine, KEYRING)
    first, again = "0b6f3c1e-0000-4000-8000-000000000020", "0b6f3c1e-0000-4000-8000-000000000021"
    await store.apply(event(first, 1, personal=True))
    await store.apply(event(again, 1, personal=True))

    async with engine.connect() as connection:
        rows = (await connection.execute(select(case_search).where(case_search.c.case_id.in_([first, again])))).all()
    expected = place_keys("幸福家园3号楼", place_key(KEYRING, "k1"))
    assert [(row.address_key, row.community_key) for row in rows] == [astuple(expected)] * 2
    assert expected.address is not None and expected.community is not None


async def test_the_raw_tables_hold_no_personal_data_in_clear(engine: AsyncEngine) -> None:
    case_id = "0b6f3c1e-0000-4000-8000-000000000002"
    await RecordStore(engine, KEYRING).apply(event(case_id, 1, personal=True))

    async with engine.connect() as connection:
        dumped = await connection.scalar(
            text("select string_agg(t::text, '') from case_records t where case_id = :id"), {"id": case_id}
        )
    assert dumped is not None and case_id in dumped
    for secret in (PHONE, "王女士", "幸福家园"):
        assert secret not in dumped


MIGRATIONS = Path(migrate_module.__file__).parent / "migrations" / "versions"


async def test_migrations_go_down_to_an_empty_database_and_up_again(engine: AsyncEngine) -> None:
    await downgrade(engine, "base", keyring=KEYRING)
    async with engine.connect() as connection:
        tables = await connection.scalar(
            text("select count(*) from information_schema.tables where table_name in ('case_records','case_events')")
        )
    assert tables == 0

    await migrate(engine, keyring=KEYRING)

    async with engine.connect() as connection:
        revision = await connection.scalar(text("select version_num from alembic_version"))
    newest = max(path.stem.split("_", 1)[0] for path in MIGRATIONS.glob("[0-9]*_*.py"))
    assert revision == newest  # the chain runs to the last file: none was left out of it
    assert await RecordStore(engine, KEYRING).apply(event("0b6f3c1e-0000-4000-8000-000000000003", 1)) is Placement.APPLY


async def test_a_record_of_the_previous_revision_keeps_its_ticket_sealed_by_column(engine: AsyncEngine) -> None:
    """0001 kept the caller's data as one sealed blob: 0002 seals it again column by column (and back down)."""
    case_id = "0b6f3c1e-0000-4000-8000-000000000005"
    await downgrade(engine, "0001", keyring=KEYRING)
    blob = seal(personal_data(), KEYRING).model_dump_json()
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "insert into case_records (case_id, last_sequence, status, channel, external_id, title, urgency, "
                "first_contact_unit, handling_unit, escalation_level, overdue, reworks, personal, view, updated_at) "
                "values (:id, 1, 'assigned', '12345', 'T-5', '小区停水', 'normal', 'water', 'water', 0, false, 0, "
                "cast(:blob as jsonb), cast(:view as jsonb), now())"
            ),
            {"id": case_id, "blob": blob, "view": '{"deadlines": {"resolution": "2026-12-20T01:00:00+00:00"}}'},
        )

    await migrate(engine, keyring=KEYRING)

    async with engine.connect() as connection:
        record = (await connection.execute(select(case_records).where(case_records.c.case_id == case_id))).one()
    opened = open_columns(case_id, record, KEYRING)
    assert opened is not None and (opened.caller_name, opened.caller_phone) == ("王女士", PHONE)
    assert record.units == ["water"] and record.resolution_due is not None
    async with engine.connect() as connection:
        tokens = await connection.scalar(select(case_search.c.tokens).where(case_search.c.case_id == case_id))
    assert tokens is not None and len(tokens) > 0
    # 0005 hashed its address, opened from the columns 0002 sealed, under the key of its search row.
    async with engine.connect() as connection:
        search = (await connection.execute(select(case_search).where(case_search.c.case_id == case_id))).one()
    assert (search.address_key, search.community_key) == astuple(
        place_keys("幸福家园3号楼", place_key(KEYRING, search.key_id))
    )

    await downgrade(engine, "0001", keyring=KEYRING)
    async with engine.connect() as connection:
        personal = await connection.scalar(
            text("select personal from case_records where case_id = :id"), {"id": case_id}
        )
    assert personal is not None and PHONE not in str(personal)
    await migrate(engine, keyring=KEYRING)


GRID = "sample-district.hekou-town.lijiawan.g01"


def placed(case_event: CaseEvent, place: str | None) -> CaseEvent:
    """The event, its view routed to `place` (the routing's grid code)."""
    assert case_event.view is not None
    routing = RoutingDecision(method=RoutingMethod.CATEGORY_CODE, catalog_version="v1", place=place)
    return case_event.model_copy(update={"view": case_event.view.model_copy(update={"routing": routing})})


async def _place_of(engine: AsyncEngine, case_id: str) -> str | None:
    async with engine.connect() as connection:
        place: str | None = await connection.scalar(
            select(case_records.c.place).where(case_records.c.case_id == case_id)
        )
    return place


async def test_a_case_s_place_is_a_column_of_its_record_applied_or_restored(engine: AsyncEngine) -> None:
    """The search by place reads the column: each event's view sets it, and a rebuild's restore as well."""
    store = RecordStore(engine, KEYRING)
    applied, restored = "0b6f3c1e-0000-4000-8000-000000000030", "0b6f3c1e-0000-4000-8000-000000000031"

    await store.apply(placed(event(applied, 1, personal=True), None))
    assert await _place_of(engine, applied) is None  # a ticket without a location
    await store.apply(placed(event(applied, 2), GRID))  # triage placed it, say
    assert await _place_of(engine, applied) == GRID

    log = [placed(event(restored, n), GRID) for n in (1, 2)]
    assert log[-1].view is not None
    await store.restore(log[-1].view, log, personal_data())
    assert await _place_of(engine, restored) == GRID


async def test_revision_0010_fills_the_place_of_the_cases_recorded_before(engine: AsyncEngine) -> None:
    store = RecordStore(engine, KEYRING)
    with_place, without = "0b6f3c1e-0000-4000-8000-000000000040", "0b6f3c1e-0000-4000-8000-000000000041"
    await downgrade(engine, "0009", keyring=KEYRING)
    async with engine.begin() as connection:
        for case_id, place in ((with_place, GRID), (without, None)):
            view = placed(event(case_id, 1), place).view
            assert view is not None
            await connection.execute(
                text(
                    "insert into case_records (case_id, last_sequence, status, channel, external_id, urgency, "
                    "escalation_level, overdue, reworks, view, updated_at) "
                    "values (:id, 1, 'assigned', '12345', :id, 'normal', 0, false, 0, cast(:view as jsonb), now())"
                ),
                {"id": case_id, "view": view.model_dump_json()},
            )

    await migrate(engine, keyring=KEYRING)

    assert (await _place_of(engine, with_place), await _place_of(engine, without)) == (GRID, None)
    await store.apply(placed(event(with_place, 2), GRID))  # the projection goes on with the column there
    assert await _place_of(engine, with_place) == GRID


async def test_the_migrations_make_the_tables_the_services_use(engine: AsyncEngine) -> None:
    """tables.py (what the services read and write) and the migrations (what the database has) say the same."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from services.engines.records_db.tables import metadata

    def differences(connection: object) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})  # type: ignore[arg-type]
        return [d for d in compare_metadata(context, metadata) if not _alembic_version(d)]

    async with engine.connect() as connection:
        assert await connection.run_sync(differences) == []


def _alembic_version(difference: object) -> bool:
    return isinstance(difference, tuple) and getattr(difference[1], "name", None) == "alembic_version"
