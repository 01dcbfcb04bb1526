"""A unit's queue from the records on a real PostgreSQL: its open cases and joint tasks, most pressing first, every
one reachable page by page."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
import pytest_asyncio
from sqlalchemy.ext.asyncio import AsyncEngine

from services.contracts.case_lists import QueueEntry, QueueRole
from services.contracts.cases import CaseStatus
from services.intake.case_records import CaseRecords
from services.intake.page_cursors import BadCursor
from services.intake.queue_reads import QueuePage, unit_queue
from tests.support.case_events import RECEIVED
from tests.support.recorded_cases import Recorded, forget_all_cases, record, record_again, records_database


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def engine(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[AsyncEngine]:
    async with records_database(tmp_path_factory.mktemp("unit-queue")) as database:
        yield database


@pytest_asyncio.fixture(loop_scope="session")
async def records(engine: AsyncEngine) -> CaseRecords:
    await forget_all_cases(engine)
    return CaseRecords(engine)


async def queue(
    records: CaseRecords, unit: str, limit: int = 100, cursor: str | None = None
) -> tuple[list[QueueEntry], str | None]:
    async with records.reading() as connection:
        return await unit_queue(connection, unit, QueuePage(limit=limit, cursor=cursor))


async def whole_queue(records: CaseRecords, unit: str, limit: int) -> list[QueueEntry]:
    entries, cursor = await queue(records, unit, limit)
    while cursor is not None:
        page, cursor = await queue(records, unit, limit, cursor)
        assert len(page) <= limit
        entries += page
    return entries


def due(days: float) -> object:
    return RECEIVED + timedelta(days=days)


async def test_the_queue_holds_open_cases_and_joint_tasks_most_pressing_first(records: CaseRecords) -> None:
    cases = {
        "later": Recorded(1, resolution_due=due(10)),
        "sooner": Recorded(2, resolution_due=due(5)),
        "overdue late": Recorded(3, overdue=True, resolution_due=due(2)),
        "overdue early": Recorded(4, overdue=True, resolution_due=due(1)),
        "no deadline": Recorded(5, CaseStatus.ARBITRATION, resolution_due=None),
        "joint": Recorded(6, handling_unit="natural-resources", joint_units=["water", "health"], resolution_due=due(7)),
        "closed": Recorded(7, closed=True, resolution_due=due(0.5)),
        "other unit": Recorded(8, handling_unit="health", resolution_due=due(0.5)),
        "first contact only": Recorded(9, handling_unit="health", first_contact_unit="water", resolution_due=due(3)),
    }
    await record(records.engine, *cases.values())
    name = {case.case_id: label for label, case in cases.items()}

    entries, cursor = await queue(records, "water")

    assert cursor is None
    assert [name[e.case_id] for e in entries] == [
        "overdue early", "overdue late", "sooner", "joint", "later", "no deadline",
    ]  # fmt: skip
    roles = {name[e.case_id]: e.role for e in entries}
    assert roles["joint"] is QueueRole.JOINT and roles["sooner"] is QueueRole.HANDLING
    [joint] = [e for e in entries if name[e.case_id] == "joint"]
    assert (joint.title, joint.catalog_item, joint.township) == ("小区停水", "LS-06", "hekou-town")
    assert joint.received_at == cases["joint"].received_at and joint.resolution_deadline == due(7)

    # The joint task finished, the case leaves the water's queue and stays in the handling unit's.
    done = cases["joint"]
    done.joint_units = []
    await record_again(records.engine, done, 2)
    assert done.case_id not in {e.case_id for e in (await queue(records, "water"))[0]}
    assert done.case_id in {e.case_id for e in (await queue(records, "natural-resources"))[0]}


async def test_the_queue_of_one_status_is_what_waits_for_it(records: CaseRecords) -> None:
    cases = {
        "to sign for": Recorded(1, CaseStatus.ASSIGNED, resolution_due=due(10)),
        "signed": Recorded(2, CaseStatus.ACCEPTED, resolution_due=due(5)),
        "back": Recorded(3, CaseStatus.REWORK, resolution_due=due(4)),
        "another's to sign for": Recorded(4, CaseStatus.ASSIGNED, handling_unit="health", resolution_due=due(1)),
    }
    await record(records.engine, *cases.values())
    name = {case.case_id: label for label, case in cases.items()}

    async def of(*statuses: CaseStatus) -> list[str]:
        async with records.reading() as connection:
            entries, _ = await unit_queue(connection, "water", QueuePage(status=list(statuses)))
        return [name[e.case_id] for e in entries if e.case_id in name]

    assert await of(CaseStatus.ASSIGNED) == ["to sign for"]
    assert await of(CaseStatus.ASSIGNED, CaseStatus.REWORK) == ["back", "to sign for"]
    assert await of() == ["back", "signed", "to sign for"]


async def test_every_open_case_is_reachable_page_by_page_the_oldest_overdue_included(records: CaseRecords) -> None:
    # 57 open cases: an overdue one received first (the one the Temporal-backed queue dropped past 500 newest),
    # deadlines shared by several cases (ties broken by case id), some without one, a few as joint tasks.
    cases = [Recorded(0, overdue=True, resolution_due=due(-30))]
    cases += [Recorded(n, overdue=n % 9 == 0, resolution_due=due(n % 4) if n % 7 else None) for n in range(1, 50)]
    cases += [Recorded(60 + n, handling_unit="health", joint_units=["water"], resolution_due=due(n)) for n in range(7)]
    await record(records.engine, *cases)

    entries = await whole_queue(records, "water", limit=6)

    ids = [e.case_id for e in entries]
    assert len(ids) == len(set(ids)) == len(cases)
    assert ids[0] == cases[0].case_id
    never = due(10_000)
    keys = [(not e.overdue, e.resolution_deadline or never, e.case_id) for e in entries]
    assert keys == sorted(keys)


async def test_a_page_of_cases_closing_meanwhile_skips_none_of_the_rest(records: CaseRecords) -> None:
    cases = [Recorded(n, resolution_due=due(n)) for n in range(12)]
    await record(records.engine, *cases)

    first, cursor = await queue(records, "water", limit=4)
    for case in cases[:6]:  # the first page's cases and two of the next are dealt with meanwhile
        case.closed = True
        await record_again(records.engine, case, 2)
    rest = []
    while cursor is not None:
        page, cursor = await queue(records, "water", 4, cursor)
        rest += page

    assert [e.case_id for e in first] == [c.case_id for c in cases[:4]]
    assert [e.case_id for e in rest] == [c.case_id for c in cases[6:]]


async def test_a_cursor_is_the_unit_s_own(records: CaseRecords) -> None:
    await record(records.engine, *(Recorded(n, resolution_due=due(n)) for n in range(3)))
    _, cursor = await queue(records, "water", limit=1)
    assert cursor is not None

    with pytest.raises(BadCursor, match=r"^cursor: the filters or the order changed"):
        await queue(records, "health", 1, cursor)
