"""Finding cases in the records on a real PostgreSQL: each filter, who finds what, Chinese text, and pages that
neither skip nor repeat a case while cases arrive."""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from services.contracts.case_lists import CasePage
from services.contracts.case_view import ExtensionStatus
from services.contracts.cases import CaseStatus
from services.contracts.credentials import ClientKind, Principal
from services.contracts.payload_keys import PayloadKeyring
from services.engines.records_db.tables import case_records, case_search
from services.engines.sealed_data import seal
from services.intake.case_records import CaseRecords
from services.intake.case_search import CaseSearch, find_cases, matching, visible_to
from services.records.store import RecordStore
from tests.support.case_events import KEYRING, RECEIVED
from tests.support.recorded_cases import Recorded, _event, forget_all_cases, record, record_again, records_database

CENTRE = Principal(client_id="centre", kind=ClientKind.COORDINATION, subject="coordination-centre", key_id="k")


def as_(kind: ClientKind, subject: str) -> Principal:
    return Principal(client_id=f"{kind.value}-{subject}", kind=kind, subject=subject, key_id="k")


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def engine(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[AsyncEngine]:
    async with records_database(tmp_path_factory.mktemp("case-search")) as database:
        yield database


@pytest_asyncio.fixture(loop_scope="session")
async def records(engine: AsyncEngine) -> CaseRecords:
    await forget_all_cases(engine)
    return CaseRecords(engine)


async def search(
    records: CaseRecords,
    caller: Principal = CENTRE,
    keyring: PayloadKeyring = KEYRING,
    *,
    by_words: bool = True,
    **query: Any,
) -> CasePage:
    async with records.reading() as connection:
        scope = visible_to(caller)
        return await find_cases(connection, CaseSearch(**query), scope=scope, keyring=keyring, by_words=by_words)


async def found(records: CaseRecords, caller: Principal = CENTRE, **query: Any) -> set[str]:
    page = await search(records, caller, limit=200, **query)
    assert page.next_cursor is None
    return {case.case_id for case in page.items}


CASES = {
    "a": Recorded(1, CaseStatus.ASSIGNED),
    "b": Recorded(
        2, CaseStatus.ACCEPTED, channel="89000", township="shiqiao-town", overdue=True, escalation_level=1,
        extension=ExtensionStatus.PENDING,
    ),
    "c": Recorded(
        3, CaseStatus.ACCEPTED, handling_unit="health", first_contact_unit="water", catalog_item="HE-01",
        escalation_level=2, title="诊所排队久", description="挂号要等三小时", extension=ExtensionStatus.APPROVED,
    ),
    "d": Recorded(4, closed=True),
    "e": Recorded(5, CaseStatus.REWORK, channel="township_call", calling_unit="hekou-town"),
    "f": Recorded(
        6, CaseStatus.TRIAGE, handling_unit=None, catalog_item=None, title="路灯不亮", description="夜里很黑",
        address="青山镇王庄村",
    ),
    "g": Recorded(
        7, CaseStatus.ACCEPTED, handling_unit="natural-resources", catalog_item="NR-01", joint_units=["water"],
        escalation_level=3, title="占用耕地", description="有人在麦田里盖房", address="河口镇李家村",
        place="sample-district.hekou-town.lijiawan.g01",
    ),
}  # fmt: skip
# Placed in a township whose code begins as hekou-town's does (for the place filter only).
NEXT_DOOR = Recorded(
    8, handling_unit="hekou-town-east", township="hekou-town-east", catalog_item="EE-04",
    place="sample-district.hekou-town-east.dongcun.g01",
)  # fmt: skip


FILTERS = [
    ({}, "abcdefg"),
    ({"status": ["closed"]}, "d"),
    ({"status": ["assigned", "triage"]}, "af"),
    ({"handling_unit": "health"}, "c"),
    ({"first_contact_unit": "water"}, "abcde"),
    ({"unit": "water"}, "abcdeg"),  # c: was first contact; g: a joint task
    ({"unit": "hekou-town"}, "e"),  # its call
    ({"township": "shiqiao-town"}, "b"),
    ({"item": "HE-01"}, "c"),
    ({"channel": "89000"}, "b"),
    ({"overdue": True}, "b"),
    ({"overdue": False, "handling_unit": "water", "status": ["assigned", "rework"]}, "ae"),
    ({"escalation_level": 2}, "c"),
    ({"escalation_level_min": 2}, "cg"),
    ({"extension_pending": True}, "b"),  # c's was decided
    ({"extension_pending": False, "status": ["accepted"]}, "cg"),
    ({"received_from": RECEIVED + timedelta(minutes=2.5), "received_to": RECEIVED + timedelta(minutes=5.5)}, "cde"),
    ({"q": "路灯"}, "f"),
    ({"q": "停水"}, "abde"),
    ({"q": "麦田 李家村"}, "g"),  # a word of the description and one of the address
    ({"q": "13812345678"}, ""),  # the caller's phone is not searchable
    ({"q": "王女士"}, ""),  # nor their name
    ({"place": "sample-district.hekou-town.lijiawan.g01"}, "g"),  # a grid
    ({"place": "sample-district.hekou-town"}, "g"),  # a township's place: its grids
    ({"place": "hekou-town"}, ""),  # a unit code is not a place code
]


async def test_a_place_finds_its_cases_and_those_under_it_only(records: CaseRecords) -> None:
    await record(records.engine, *CASES.values(), NEXT_DOOR)
    label = {case.case_id: name for name, case in {**CASES, "n": NEXT_DOOR}.items()}

    async def names(**query: Any) -> str:
        return "".join(sorted(label[i] for i in await found(records, **query)))

    assert await names(place="sample-district.hekou-town") == "g"  # not hekou-town-east's
    assert await names(place="sample-district.hekou-town-east") == "n"
    assert await names(place="sample-district") == "gn"  # the district's: every placed case
    assert await names(place="sample-district.hekou-town.lijiawan") == "g"
    assert await names(place="sample-district.hekou-town", township="hekou-town", status=["accepted"]) == "g"
    page = await search(records, place="sample-district.hekou-town")
    assert [case.place for case in page.items] == ["sample-district.hekou-town.lijiawan.g01"]


async def test_each_filter_finds_its_cases(records: CaseRecords) -> None:
    await record(records.engine, *CASES.values())
    label = {case.case_id: name for name, case in CASES.items()}

    for query, expected in FILTERS:
        assert "".join(sorted(label[i] for i in await found(records, **query))) == expected, query


async def test_a_summary_carries_the_pending_extension_a_desk_lists(records: CaseRecords) -> None:
    await record(records.engine, *CASES.values())
    page = await search(records, CENTRE, limit=200)
    by_id = {case.case_id: case for case in page.items}
    asked = by_id[CASES["b"].case_id].pending_extension
    assert asked is not None
    assert (asked.requested_by, asked.working_days, asked.reason) == ("water", 5, "需协调管网改造")
    assert by_id[CASES["c"].case_id].pending_extension is None  # decided
    assert {case.transfers for case in page.items} == {0}
    assert all(case.triage_deadline is None and case.routing_confidence is None for case in page.items)


async def test_the_pending_extensions_are_read_from_their_own_index(records: CaseRecords) -> None:
    """The desk's list of extension requests reads the partial index, not every case's view (with a few rows the
    planner would scan the table anyway: it is told not to, so that only a condition the index cannot serve fails)."""
    await record(records.engine, *CASES.values())
    query = select(case_records.c.case_id).where(*matching(CaseSearch(extension_pending=True), KEYRING))
    compiled = str(query.compile(records.engine, compile_kwargs={"literal_binds": True}))
    async with records.reading() as connection:
        await connection.execute(text("SET LOCAL enable_seqscan = off"))
        plan = "\n".join((await connection.execute(text(f"EXPLAIN {compiled}"))).scalars())
        found = (await connection.execute(query)).scalars().all()

    assert "case_records_extension_pending" in plan, plan
    assert found == [CASES["b"].case_id]


async def test_a_place_s_cases_are_read_from_the_place_index(records: CaseRecords) -> None:
    """A township's place is a range of codes on `case_records_place`, a bound parameter included (a prepared
    statement's generic plan, which could not turn a LIKE into a range); the planner is told not to scan."""
    await record(records.engine, *CASES.values())
    query = select(case_records.c.case_id).where(*matching(CaseSearch(place="sample-district.hekou-town"), KEYRING))
    compiled = query.compile(records.engine)
    async with records.reading() as connection:
        await connection.execute(text("SET LOCAL enable_seqscan = off"))
        await connection.execute(text("SET LOCAL plan_cache_mode = force_generic_plan"))
        statement = re.sub(r"%\((\w+)\)s", lambda m: f"${list(compiled.params).index(m.group(1)) + 1}", str(compiled))
        await connection.execute(text(f"PREPARE by_place AS {statement}"))
        values = ", ".join(f"'{value}'" for value in compiled.params.values())
        plan = "\n".join((await connection.execute(text(f"EXPLAIN EXECUTE by_place({values})"))).scalars())
        found = (await connection.execute(query)).scalars().all()

    assert "case_records_place" in plan, plan
    assert found == [CASES["g"].case_id]


async def test_each_client_finds_only_the_cases_it_may_read(records: CaseRecords) -> None:
    await record(records.engine, *CASES.values())
    label = {case.case_id: name for name, case in CASES.items()}

    async def names(caller: Principal) -> str:
        return "".join(sorted(label[i] for i in await found(records, caller)))

    assert await names(as_(ClientKind.UNIT, "water")) == "abcdeg"
    assert await names(as_(ClientKind.UNIT, "health")) == "c"
    assert await names(as_(ClientKind.UNIT, "hekou-town")) == "e"  # the calling unit
    assert await names(as_(ClientKind.UNIT, "ecology-environment")) == ""
    assert await names(as_(ClientKind.PLATFORM, "12345")) == "acdfg"  # not the township's call
    assert await names(as_(ClientKind.PLATFORM, "89000")) == "b"
    assert await names(as_(ClientKind.LEADER, "city-leader")) == "abcdefg"
    # A filter narrows the caller's cases, never widens them.
    assert await found(records, as_(ClientKind.UNIT, "health"), handling_unit="water") == set()


async def test_chinese_text_is_found_by_its_character_pairs(records: CaseRecords) -> None:
    case = Recorded(1, title="小区停水", description="停水两天，老人用水困难", address="幸福家园3号楼")
    await record(records.engine, case)

    async def finds(q: str) -> bool:
        return case.case_id in await found(records, q=q)

    assert [await finds(q) for q in ("停水", "小区停水", "用水困难", "幸福家园", "3号楼", "停水 3", "水")] == [True] * 7
    assert [await finds(q) for q in ("水停", "停电", "小区停电", "幸福小区", "4号楼")] == [False] * 5


async def test_text_sealed_under_an_earlier_key_is_still_found(records: CaseRecords) -> None:
    earlier = PayloadKeyring("k0", {"k0": os.urandom(32)})
    rotated = PayloadKeyring("k1", {"k0": earlier.keys["k0"], "k1": KEYRING.keys["k1"]})
    old = Recorded(1, title="井盖丢失")
    new = Recorded(2, title="井盖松动")
    await RecordStore(records.engine, earlier).apply(_event(old, 1, personal=seal(old.personal(), earlier)))
    await record(records.engine, new)

    assert await found(records, q="井盖", keyring=rotated) == {old.case_id, new.case_id}
    assert await found(records, q="丢失", keyring=rotated) == {old.case_id}


async def walk(records: CaseRecords, *, between: Any = None, **query: Any) -> list[str]:
    """Every page of a search, `between(page_number)` awaited after each page."""
    seen: list[str] = []
    cursor = None
    for number in range(100):
        page = await search(records, cursor=cursor, **query)
        seen += [case.case_id for case in page.items]
        if page.next_cursor is None:
            return seen
        cursor = page.next_cursor
        if between is not None:
            await between(number)
    raise AssertionError("more than 100 pages")


async def test_pages_neither_skip_nor_repeat_a_case_while_cases_arrive_and_change(records: CaseRecords) -> None:
    # Three cases a minute: several share their received time, so the case id must break the ties.
    cases = [Recorded(minutes=n // 3) for n in range(22)]
    await record(records.engine, *cases)
    newest_first = [c.case_id for c in sorted(cases, key=lambda c: (c.received_at, c.case_id), reverse=True)]
    arrived: list[Recorded] = []

    async def meanwhile(number: int) -> None:
        # A new case, one received at the same time as one already listed, and a listed case moving on.
        newcomers = [Recorded(minutes=100 + number), Recorded(minutes=cases[number].minutes)]
        arrived.extend(newcomers)
        await record(records.engine, *newcomers)
        changed = cases[number]
        changed.status = CaseStatus.ACCEPTED
        await record_again(records.engine, changed, 2)

    seen = await walk(records, between=meanwhile, limit=4)

    assert len(seen) == len(set(seen))
    # Every case there when the walk began, in order; of the newcomers only those that fell behind the cursor.
    assert [i for i in seen if i in set(newest_first)] == newest_first
    late = {c.case_id for c in arrived}
    assert {i for i in seen if i in late} <= late and len(seen) < len(newest_first) + len(late)

    # Oldest first, the cases that arrive during the walk come at its end: every one of them is seen, once.
    arrived.clear()
    seen = await walk(records, between=meanwhile, limit=5, sort="received_at")
    assert len(seen) == len(set(seen))
    everyone = {c.case_id for c in cases} | {c.case_id for c in arrived if c.minutes >= 100}
    assert everyone <= set(seen)


async def test_cases_without_a_received_time_are_listed_once_at_the_newest_end(records: CaseRecords) -> None:
    timed = [Recorded(minutes=n) for n in range(5)]
    untimed = [Recorded(minutes=0) for _ in range(3)]
    await record(records.engine, *timed)
    store = RecordStore(records.engine, KEYRING)
    for case in untimed:
        event = _event(case, 1)
        assert event.view is not None
        await store.apply(event.model_copy(update={"view": event.view.model_copy(update={"received_at": None})}))
    nulls = sorted(c.case_id for c in untimed)
    by_time = [c.case_id for c in sorted(timed, key=lambda c: (c.received_at, c.case_id))]

    assert await walk(records, limit=2) == nulls[::-1] + by_time[::-1]
    assert await walk(records, limit=2, sort="received_at") == by_time + nulls


async def test_a_word_search_pages_in_received_order_from_the_words_own_table(records: CaseRecords) -> None:
    """`q` is read from `case_search` in its received order (revision 0006): the same pages, in the same order."""
    marked = [Recorded(minutes=200 + n // 2, title="桥面塌陷", description=f"第{n}处") for n in range(13)]
    others = [Recorded(minutes=200 + n, title="噪音扰民") for n in range(5)]
    await record(records.engine, *marked, *others)
    newest_first = [c.case_id for c in sorted(marked, key=lambda c: (c.received_at, c.case_id), reverse=True)]

    for by_words in (True, False):  # the words' order, or the cases' (a unit's search: `words_first`)
        assert await walk(records, q="桥面塌陷", limit=4, by_words=by_words) == newest_first
        assert await walk(records, q="桥面塌陷", limit=5, sort="received_at", by_words=by_words) == newest_first[::-1]
    async with records.engine.connect() as connection:
        copied = await connection.execute(
            select(case_search.c.received_at, case_records.c.received_at).join(
                case_records, case_records.c.case_id == case_search.c.case_id
            )
        )
        assert all(search_time == record_time for search_time, record_time in copied)
