"""A case's events in hand together are applied together, in turn with the case's others; other cases' meanwhile."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from services.contracts.case_event_log import CaseEvent
from services.records.projection import Placement
from services.records.projector import CaseBatches
from tests.support.case_events import event

CASE_A = "7f3e4c52-0000-4000-8000-00000000000a"
CASE_B = "7f3e4c52-0000-4000-8000-00000000000b"


class Applier:
    """Records each batch it is given; every event applies. Case A's batches stay open while `hold` is clear."""

    def __init__(self) -> None:
        self.batches: list[list[tuple[str, int]]] = []
        self.hold = asyncio.Event()
        self.hold.set()
        self.began = asyncio.Event()
        self.failure: Exception | None = None

    async def __call__(self, events: Sequence[CaseEvent]) -> list[Placement]:
        self.batches.append([(e.case_id[-1], e.sequence) for e in events])
        self.began.set()
        if events[0].case_id == CASE_A:
            await self.hold.wait()
        if self.failure is not None:
            raise self.failure
        return [Placement.APPLY] * len(events)


async def test_a_case_s_events_in_hand_together_are_applied_in_one_batch_other_cases_apart() -> None:
    applier = Applier()
    batches = CaseBatches(applier)

    placements = await asyncio.gather(
        *(batches.apply(event(case_id, n)) for case_id, n in [(CASE_A, 1), (CASE_A, 2), (CASE_B, 1), (CASE_A, 3)])
    )

    assert placements == [Placement.APPLY] * 4
    assert sorted(applier.batches) == [[("a", 1), ("a", 2), ("a", 3)], [("b", 1)]]
    assert len(batches) == 0, "a case with no event in hand is forgotten"


async def test_events_that_come_while_the_case_s_batch_is_applied_make_the_next_batch_in_turn() -> None:
    applier = Applier()
    batches = CaseBatches(applier)
    applier.hold.clear()
    first = asyncio.create_task(batches.apply(event(CASE_A, 1)))
    await applier.began.wait()

    later = [asyncio.create_task(batches.apply(event(CASE_A, n))) for n in (2, 3)]
    other = await asyncio.wait_for(batches.apply(event(CASE_B, 1)), timeout=1)  # not held up by case A
    assert applier.batches == [[("a", 1)], [("b", 1)]]
    applier.hold.set()
    await asyncio.gather(first, *later)

    assert other is Placement.APPLY
    assert applier.batches == [[("a", 1)], [("b", 1)], [("a", 2), ("a", 3)]]


async def test_a_batch_that_fails_fails_each_of_its_events_and_the_case_s_next_event_gets_its_turn() -> None:
    applier = Applier()
    batches = CaseBatches(applier)
    applier.failure = ConnectionError("the database went away")

    outcomes = await asyncio.gather(
        *(batches.apply(event(CASE_A, n)) for n in (1, 2)),
        return_exceptions=True,
    )
    assert [type(outcome) for outcome in outcomes] == [ConnectionError, ConnectionError]

    applier.failure = None
    assert await asyncio.wait_for(batches.apply(event(CASE_A, 1)), timeout=1) is Placement.APPLY
    assert len(batches) == 0


async def test_a_cancelled_batch_cancels_each_of_its_events_to_be_redelivered() -> None:
    applier = Applier()
    batches = CaseBatches(applier)
    applier.hold.clear()
    handling = [asyncio.create_task(batches.apply(event(CASE_A, n))) for n in (1, 2)]
    await applier.began.wait()

    handling[0].cancel()

    with pytest.raises(asyncio.CancelledError):
        await handling[1]
    assert handling[0].cancelled()
