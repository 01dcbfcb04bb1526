"""A case's events take turns in the records (in the order they came); other cases' go meanwhile."""

from __future__ import annotations

import asyncio

import pytest

from services.records.projector import CaseTurns


async def test_a_case_s_events_are_applied_one_at_a_time_in_the_order_they_came_others_meanwhile() -> None:
    turns = CaseTurns()
    applied: list[str] = []
    first_in_hand = asyncio.Event()

    async def apply(case_id: str, name: str, *, slow: bool = False) -> None:
        async with turns.turn(case_id):
            if slow:
                first_in_hand.set()
                await asyncio.sleep(0.05)  # the first event's transaction, still open
            applied.append(name)

    handling = [
        asyncio.create_task(apply("a", "a1", slow=True)),
        asyncio.create_task(apply("a", "a2")),
        asyncio.create_task(apply("a", "a3")),
        asyncio.create_task(apply("b", "b1")),
    ]
    await first_in_hand.wait()
    await asyncio.sleep(0)

    assert applied == ["b1"], "another case's event does not wait for this one's"
    await asyncio.gather(*handling)
    assert applied == ["b1", "a1", "a2", "a3"]
    assert len(turns) == 0, "a case with no event in hand is forgotten"


async def test_an_event_that_failed_gives_the_case_s_next_event_its_turn() -> None:
    turns = CaseTurns()

    async def next_event() -> None:
        async with turns.turn("a"):
            pass

    with pytest.raises(RuntimeError):
        async with turns.turn("a"):
            waiting = asyncio.create_task(next_event())
            await asyncio.sleep(0)
            raise RuntimeError("the database went away")

    await asyncio.wait_for(waiting, timeout=1)
    assert len(turns) == 0
