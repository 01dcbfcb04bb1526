"""What the records' consumer says about an event when its database fails: retried after a backoff, never acked,
never ended, counted, and told in one warning a second; a race on a case's first event is retried too."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from sqlalchemy.exc import IntegrityError, OperationalError
from structlog.testing import capture_logs

from services.engines.pull_consumer import Outcome, RetryPolicy, Verdict
from services.records.projection import Placement
from services.records.projector import DB_ERRORS, DB_RETRY, RecordProjector
from tests.support.case_events import event

CASE_ID = "5d1c2a30-0000-4000-8000-000000000001"


@dataclass
class Metadata:
    num_delivered: int = 1


@dataclass
class FakeMsg:
    data: bytes
    metadata: Metadata = field(default_factory=Metadata)


class FailingStore:
    """A store whose database fails with `error` (None: applies every event)."""

    def __init__(self, error: Exception | None) -> None:
        self.error = error

    async def apply_events(self, events: list[object]) -> list[Placement]:
        if self.error is not None:
            raise self.error
        return [Placement.APPLY] * len(events)


def message(*, delivered: int = 1) -> FakeMsg:
    return FakeMsg(event(CASE_ID, 1, personal=True).model_dump_json().encode(), Metadata(delivered))


async def handle(store: FailingStore, msg: FakeMsg) -> Outcome:
    projector = RecordProjector(store, db_retry=RetryPolicy(base_seconds=0.5, max_seconds=5.0))  # type: ignore[arg-type]
    return await projector.handle(msg)  # type: ignore[arg-type]


DOWN = ConnectionRefusedError(111, "Connection refused")


@pytest.mark.parametrize(
    "error",
    [
        pytest.param(DOWN, id="the server is down"),
        pytest.param(
            OperationalError("INSERT ...", {}, Exception("the database system is starting up")),
            id="the server is recovering",
        ),
    ],
)
async def test_a_database_error_is_retried_after_a_backoff_and_counted(error: Exception) -> None:
    before = DB_ERRORS._value.get()

    first = await handle(FailingStore(error), message(delivered=1))
    later = await handle(FailingStore(error), message(delivered=9))

    assert first.verdict is Verdict.NAK and first.delay_seconds is not None and 0.25 <= first.delay_seconds <= 0.5
    assert later.verdict is Verdict.NAK and later.delay_seconds is not None and 2.5 <= later.delay_seconds <= 5.0
    assert DB_ERRORS._value.get() == before + 2


async def test_a_long_outage_is_told_once_a_second_with_the_failures_counted() -> None:
    projector = RecordProjector(FailingStore(DOWN))  # type: ignore[arg-type]

    with capture_logs() as logs:
        outcomes = [await projector.handle(message(delivered=n)) for n in range(1, 51)]  # type: ignore[arg-type]

    assert {o.verdict for o in outcomes} == {Verdict.NAK}
    assert max(o.delay_seconds or 0 for o in outcomes) <= DB_RETRY.max_seconds
    [warning] = [entry for entry in logs if entry["event"] == "records.database_failed"]
    assert warning["failures"] == 1 and warning["error"] == repr(DOWN)


async def test_a_race_on_a_case_s_first_event_is_retried_not_counted_as_a_database_error() -> None:
    before = DB_ERRORS._value.get()
    race = IntegrityError("INSERT ...", {}, Exception("duplicate key value violates unique constraint"))

    outcome = await handle(FailingStore(race), message())

    assert outcome.verdict is Verdict.NAK
    assert DB_ERRORS._value.get() == before


async def test_once_the_database_answers_the_event_is_applied_and_acked() -> None:
    assert await handle(FailingStore(None), message(delivered=5)) == Outcome.ack()
