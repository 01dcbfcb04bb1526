"""The special report's stalled items, read from the case records on a real PostgreSQL: a case past a deadline,
a case its unit has not touched for N working days, and the ones that are not stalled."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest_asyncio
from sqlalchemy.ext.asyncio import AsyncEngine

from services.assessment.reports.stalled_items import stalled_items
from services.contracts.assessment_periods import CITY_TZ
from services.contracts.assessment_reports import StalledReason
from services.contracts.case_event_log import CaseEvent, EventFields, EventSource, case_event_id
from services.contracts.case_view import CaseView, DeadlineKind, TrackedDeadline
from services.contracts.cases import CaseStatus
from services.records.store import RecordStore
from tests.support.case_events import KEYRING
from tests.support.recorded_cases import records_database

MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=CITY_TZ)
CUTOFF = datetime(2026, 12, 4, 17, 0, tzinfo=CITY_TZ)  # Friday, 9 working days after MONDAY


class Log:
    """A case's events as the case workflow publishes them, each with the view after it."""

    def __init__(self, case_id: str, *, unit: str = "water") -> None:
        self.view = CaseView(
            case_id=case_id,
            status=CaseStatus.ASSIGNED,
            channel="12345",
            external_id=f"T-{case_id}",
            title=f"案件 {case_id[-2:]}",
            handling_unit=unit,
            first_contact_unit=unit,
            catalog_item="LS-06",
            township="chengguan",
            received_at=MONDAY,
        )
        self.events: list[CaseEvent] = []
        self.add("received", MONDAY, "12345")
        self.add("assigned", MONDAY, "router", EventFields(unit=unit))

    def add(self, kind: str, at: datetime, actor: str, fields: EventFields | None = None) -> Log:
        sequence = len(self.events) + 1
        self.events.append(
            CaseEvent(
                event_id=case_event_id(self.view.case_id, sequence),
                case_id=self.view.case_id,
                sequence=sequence,
                source=EventSource.CASE,
                kind=kind,
                at=at,
                actor=actor,
                detail=f"{kind} by {actor}" if fields is None or fields.note is None else fields.note,
                fields=fields or EventFields(),
                view=self.view.model_copy(deep=True),
            )
        )
        return self

    def changed(self, **changes: object) -> Log:
        """The view after the last event."""
        self.view = self.view.model_copy(update=changes)
        self.events[-1] = self.events[-1].model_copy(update={"view": self.view.model_copy(deep=True)})
        return self


def case_id(n: int) -> str:
    return f"0b6f3c1e-0000-4000-8000-0000000000{n:02d}"


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def engine(tmp_path_factory: object) -> AsyncIterator[AsyncEngine]:
    async with records_database(Path(tmp_path_factory.mktemp("stalled"))) as database:  # type: ignore[attr-defined]
        store = RecordStore(database, KEYRING)
        for log in cases():
            await store.apply_events(log.events)
        yield database


def cases() -> list[Log]:
    breached = TrackedDeadline(
        kind=DeadlineKind.RESOLUTION,
        started_at=MONDAY,
        due=MONDAY + timedelta(days=3),
        breached_at=MONDAY + timedelta(days=3),
    )
    overdue = (
        Log(case_id(1))
        .add("accepted", MONDAY + timedelta(hours=1), "water")
        .add(
            "progress",
            MONDAY + timedelta(days=2),
            "water",
            EventFields(note="已到现场", plan="更换主管道阀门"),
        )
        .add("deadline_breached", MONDAY + timedelta(days=3), "system")
        .changed(status=CaseStatus.ACCEPTED, overdue=True, tracked_deadlines=[breached])
    )
    quiet = Log(case_id(2), unit="housing").add("accepted", MONDAY + timedelta(hours=2), "housing")
    quiet.changed(status=CaseStatus.ACCEPTED)
    busy = Log(case_id(3)).add("accepted", MONDAY, "water").add("progress", CUTOFF - timedelta(days=1), "water")
    busy.changed(status=CaseStatus.ACCEPTED)
    resolved = Log(case_id(4)).add("resolved", MONDAY + timedelta(days=1), "water")
    resolved.changed(status=CaseStatus.RESOLVED)
    closed = Log(case_id(5)).add("closed", MONDAY + timedelta(days=1), "system")
    closed.changed(status=CaseStatus.CLOSED, closed_at=MONDAY + timedelta(days=1))
    # A case received after the cut-off is not in a report made at the cut-off.
    later = Log(case_id(6))
    later.events = [e.model_copy(update={"at": CUTOFF + timedelta(hours=1)}) for e in later.events]
    later.changed(received_at=CUTOFF + timedelta(hours=1))
    return [overdue, quiet, busy, resolved, closed, later]


async def test_overdue_and_quiet_cases_are_listed_longest_stalled_first(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        items, total = await stalled_items(connection, cutoff=CUTOFF, no_progress_working_days=5)

    assert total == 2
    assert [(item.case_id, item.reason) for item in items] == [
        (case_id(2), StalledReason.NO_PROGRESS),
        (case_id(1), StalledReason.OVERDUE),
    ]
    quiet, overdue = items
    # Signed for on Monday the 23rd at 11:00, nothing since: 9 working days to Friday the 4th.
    assert (quiet.handling_unit, quiet.stalled_days, quiet.last_progress) == ("housing", 9, "accepted by housing")
    assert quiet.last_progress_at == MONDAY + timedelta(hours=2)
    # Due on Thursday the 26th: 6 working days overdue; the measure it proposed in its last progress report.
    assert (overdue.deadline_kind, overdue.stalled_days) == ("resolution", 6)
    assert (overdue.last_progress, overdue.proposed_measure) == ("已到现场", "更换主管道阀门")


async def test_a_longer_quiet_window_leaves_only_the_overdue_case(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        items, total = await stalled_items(connection, cutoff=CUTOFF, no_progress_working_days=10)
    assert (total, [item.case_id for item in items]) == (1, [case_id(1)])


async def test_the_list_is_capped_but_the_total_is_not(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        items, total = await stalled_items(connection, cutoff=CUTOFF, no_progress_working_days=5, limit=1)
    assert (len(items), total) == (1, 2)
