"""The units' facts kept by the records on a real PostgreSQL: replaced from the whole log in the transaction that
applies a case's events, written by a restore, and swapped in by a rebuild."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.contracts.case_event_log import CaseEvent
from services.contracts.case_timeline import TimelineAction
from services.contracts.case_view import DeadlineKind, JointRole, RatingLevel
from services.engines.records_db.tables import unit_case_facts
from services.records.staging import create_staging, drop_staging, swap_in
from services.records.store import RecordStore
from services.records.unit_facts import unit_facts
from tests.support.case_events import KEYRING
from tests.support.case_histories import CaseHistory
from tests.support.recorded_cases import records_database


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def engine(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[AsyncEngine]:
    async with records_database(Path(tmp_path_factory.mktemp("facts"))) as database:
        yield database


def transferred_and_reworked() -> CaseHistory:
    history = CaseHistory("industry-it").breach(DeadlineKind.SIGN_FOR, 2, due=2).transfer("agriculture", 3)
    history.accept(4).progress(5).escalate(1, 6).resolve(20).rate(RatingLevel.UNSATISFIED, 30).progress(31)
    return history.resolve(40).rate(RatingLevel.SATISFIED, 50)


def joint() -> CaseHistory:
    history = CaseHistory("water").accept(1)
    history.start_joint(2, ("health", JointRole.CO_MANAGING), ("hekou-town", JointRole.TOWNSHIP), due=50)
    history.joint_task("health", TimelineAction.ACCEPTED, 3).joint_task("health", TimelineAction.COMPLETED, 10)
    return history.joint_task("hekou-town", TimelineAction.DEADLINE_BREACHED, 50).close_joint(60)


def arbitrated(case_id: str | None = None) -> CaseHistory:
    history = CaseHistory("water", case_id=case_id).transfer("housing-construction", 1).ask_arbitration(2)
    return history.arbitrate("water", 5).accept(6)


HISTORIES: dict[str, Callable[[], CaseHistory]] = {
    "transferred and reworked": transferred_and_reworked,
    "joint handling": joint,
    "arbitrated": arbitrated,
}


def steps(events: list[CaseEvent]) -> list[list[CaseEvent]]:
    """The events in the batches their workflow's steps publish them in."""
    batches: list[list[CaseEvent]] = []
    for event in events:
        if batches and batches[-1][0].at == event.at:
            batches[-1].append(event)
        else:
            batches.append([event])
    return batches


async def stored_facts(engine: AsyncEngine, case_id: str, table: Any = unit_case_facts) -> list[dict[str, Any]]:
    async with engine.connect() as connection:
        rows = await connection.execute(
            select(table).where(table.c.case_id == case_id).order_by(table.c.role, table.c.unit, table.c.stint)
        )
        return [dict(row._mapping) for row in rows]


def expected(history: CaseHistory, upto: int | None = None) -> list[dict[str, Any]]:
    """The facts of the log's first `upto` events, with the view after the last of them."""
    events = history.events[:upto]
    view = events[-1].view
    assert view is not None
    rows = [fact.row() for fact in unit_facts(events, view)]
    return sorted(rows, key=lambda row: (row["role"], row["unit"], row["stint"]))


@pytest.mark.parametrize("name", HISTORIES)
async def test_each_batch_applied_leaves_the_facts_of_the_log_so_far(engine: AsyncEngine, name: str) -> None:
    history = HISTORIES[name]()
    store = RecordStore(engine, KEYRING)
    applied = 0
    for batch in steps(history.events):
        await store.apply_events(batch)
        applied += len(batch)
        assert await stored_facts(engine, history.view.case_id) == expected(history, applied), batch[-1].kind
    assert expected(history)  # the whole history has facts to compare


async def test_events_applied_one_at_a_time_or_all_at_once_give_the_same_facts(engine: AsyncEngine) -> None:
    one_by_one, together = transferred_and_reworked(), transferred_and_reworked()
    store = RecordStore(engine, KEYRING)
    for event in one_by_one.events:
        await store.apply(event)
    await store.apply_events(together.events)

    def without_case(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{name: value for name, value in row.items() if name != "case_id"} for row in rows]

    assert without_case(await stored_facts(engine, one_by_one.view.case_id)) == without_case(
        await stored_facts(engine, together.view.case_id)
    )


async def test_a_restored_case_has_its_facts_replaced(engine: AsyncEngine) -> None:
    history = joint()
    store = RecordStore(engine, KEYRING)
    await store.apply_events(history.events[:4])  # assigned and accepted only: the water's stint
    assert len(await stored_facts(engine, history.view.case_id)) == 1

    # The whole log written at once (the events as a rebuild reads them from the workflow: no views).
    events = [event.model_copy(update={"view": None}) for event in history.events]
    await store.restore(history.view, events, personal=None)

    assert await stored_facts(engine, history.view.case_id) == expected(history)


async def test_a_rebuild_swaps_in_the_facts_of_the_cases_it_made(engine: AsyncEngine) -> None:
    live = arbitrated()
    case_id = live.view.case_id
    await RecordStore(engine, KEYRING).apply_events(live.events[:3])  # the live records got as far as the assignment

    staged_tables = await create_staging(engine)
    try:
        staged = RecordStore(engine, KEYRING, staged_tables)
        for batch in steps(arbitrated(case_id).events):  # the rebuild replays the whole log
            await staged.apply_events(batch)
        assert len(await stored_facts(engine, case_id, staged_tables.facts)) == 3
        await swap_in(engine, staged_tables)
    finally:
        await drop_staging(engine)

    facts = await stored_facts(engine, case_id)
    assert [(row["unit"], row["stint"], row["arbitration_lost"]) for row in facts] == [
        ("housing-construction", 1, False),
        ("water", 1, False),
        ("water", 2, True),
    ]
