"""Cases in the records for the tests of finding, exporting and queueing them: a migrated PostgreSQL of a module's
own, and cases written by the records' own store (`RecordStore.apply`), as the projector writes them."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from services.contracts.case_event_log import (
    CaseEvent,
    EventFields,
    EventSource,
    PersonalData,
    SealedData,
    case_event_id,
)
from services.contracts.case_ticket import CaseLocation
from services.contracts.case_view import (
    CaseAttachment,
    CaseView,
    Deadlines,
    Extension,
    ExtensionStatus,
    JointPhase,
    JointRole,
    JointTaskView,
)
from services.contracts.cases import CaseStatus, RoutingDecision, RoutingMethod
from services.contracts.tickets import Caller
from services.engines.sealed_data import seal
from services.records.migrate import migrate
from services.records.store import RecordStore
from tests.support.case_events import KEYRING, RECEIVED
from tests.support.engines import PostgresServer


@asynccontextmanager
async def records_database(workdir: Path) -> AsyncIterator[AsyncEngine]:
    """A PostgreSQL server under `workdir`, migrated to the newest revision; stopped afterwards."""
    server = PostgresServer.at(workdir)
    await server.start()
    engine = create_async_engine(server.url)
    try:
        await migrate(engine, keyring=KEYRING)
        yield engine
    finally:
        await engine.dispose()
        server.stop()


async def forget_all_cases(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.execute(text("TRUNCATE case_records, case_events, case_search, unit_case_facts, access_log"))


@dataclass
class Recorded:
    """One case as its latest event shows it; `minutes` after RECEIVED it was received."""

    minutes: float
    status: CaseStatus = CaseStatus.ASSIGNED
    channel: str = "12345"
    handling_unit: str | None = "water"
    first_contact_unit: str | None = None
    calling_unit: str | None = None
    township: str | None = "hekou-town"
    catalog_item: str | None = "LS-06"
    title: str = "小区停水"
    description: str = "停水两天"
    address: str | None = "幸福家园3号楼"
    location: CaseLocation | None = None  # a grid worker's point, kept converted to WGS-84
    place: str | None = None  # the grid the routing placed it in
    phone: str | None = "13812345678"
    confidential: bool = False
    overdue: bool = False
    escalation_level: int = 0
    resolution_due: datetime | None = None
    joint_units: list[str] = field(default_factory=list)
    extension: ExtensionStatus | None = None  # one request for more time, in this state
    closed: bool = False
    attachment_ids: list[str] = field(default_factory=list)  # photos on the case, as the view lists them
    case_id: str = field(default_factory=lambda: str(uuid.uuid4()))

    @property
    def received_at(self) -> datetime:
        return RECEIVED + timedelta(minutes=self.minutes)

    def view(self) -> CaseView:
        closed_at = self.received_at + timedelta(days=3) if self.closed else None
        return CaseView(
            case_id=self.case_id,
            status=CaseStatus.CLOSED if self.closed else self.status,
            channel=self.channel,
            external_id=f"T-{self.case_id[:8]}",
            title=self.title,
            catalog_item=self.catalog_item,
            first_contact_unit=self.first_contact_unit or self.handling_unit,
            handling_unit=self.handling_unit,
            township=self.township,
            calling_unit=self.calling_unit,
            received_at=self.received_at,
            deadlines=Deadlines(resolution=self.resolution_due),
            overdue=self.overdue,
            escalation_level=self.escalation_level,
            joint_phases=[self._joint_phase()] if self.joint_units else [],
            extensions=[self._extension(self.extension)] if self.extension else [],
            closed_at=closed_at,
            closed_reason="rated" if self.closed else None,
            attachments=[self._attachment(attachment_id) for attachment_id in self.attachment_ids],
            routing=self._routing() if self.place else None,
        )

    def _routing(self) -> RoutingDecision:
        return RoutingDecision(
            method=RoutingMethod.CATEGORY_CODE,
            item=self.catalog_item,
            unit=self.handling_unit,
            catalog_version="v1",
            township=self.township,
            township_source="location",
            place=self.place,
            boundaries_version="1",
        )

    def _attachment(self, attachment_id: str) -> CaseAttachment:
        return CaseAttachment(
            attachment_id=attachment_id,
            kind="image",
            media_type="image/jpeg",
            size_bytes=48_213,
            sha256="0" * 64,
            uploaded_at=self.received_at + timedelta(minutes=5),
            uploaded_by=self.channel,
            has_thumbnail=True,
        )

    def _extension(self, status: ExtensionStatus) -> Extension:
        return Extension(
            requested_by=self.handling_unit or "",
            reason="需协调管网改造",
            working_days=5,
            requested_at=self.received_at + timedelta(days=1),
            status=status,
        )

    def _joint_phase(self) -> JointPhase:
        tasks = [
            JointTaskView(
                case_id=self.case_id,
                workflow_id=f"joint-{self.case_id}-{unit}",
                unit=unit,
                role=JointRole.CO_MANAGING,
                task="配合处置",
                due=self.received_at + timedelta(days=5),
            )
            for unit in self.joint_units
        ]
        return JointPhase(
            number=1,
            requested_by=self.handling_unit or "",
            reason="需联合办理",
            started_at=self.received_at,
            tasks=tasks,
        )

    def personal(self) -> PersonalData:
        caller = Caller(name="王女士", phone=self.phone, confidential=self.confidential) if self.phone else None
        return PersonalData(
            description=self.description,
            address=self.address,
            caller=caller,
            reported_at=self.received_at,
            location=self.location,
        )


async def record(engine: AsyncEngine, *cases: Recorded) -> None:
    """Each case's `received` event, applied by the records' store (its sealed ticket and search tokens too)."""
    store = RecordStore(engine, KEYRING)
    for case in cases:
        await store.apply(_event(case, 1, personal=seal(case.personal(), KEYRING)))


async def record_again(engine: AsyncEngine, case: Recorded, sequence: int) -> None:
    """The case's `sequence`-th event, its view as `case` now says (a change of status, unit, joint tasks...)."""
    await RecordStore(engine, KEYRING).apply(_event(case, sequence))


def _event(case: Recorded, sequence: int, *, personal: SealedData | None = None) -> CaseEvent:
    return CaseEvent(
        event_id=case_event_id(case.case_id, sequence),
        case_id=case.case_id,
        sequence=sequence,
        source=EventSource.CASE,
        kind="received" if sequence == 1 else "changed",
        at=case.received_at + timedelta(seconds=sequence),
        actor=case.channel,
        fields=EventFields(unit=case.handling_unit),
        view=case.view(),
        personal=personal,
    )
