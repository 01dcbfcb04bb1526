"""Catalog changes by application (动态调整): the coordination centre approves, refuses, or lets one expire.

The real `CatalogChangeActivities` run against an in-memory catalog store and record list; deadlines come from the
real `compute_deadline` on the official calendar; notifications go to the fake publisher.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment, WorkflowEnvironment
from temporalio.worker import Worker

from services.contracts.catalog import CatalogItem, ResponsibilityCatalog, load_catalog
from services.contracts.catalog_changes import (
    CATALOG_CHANGE_DECIDE_UPDATE,
    CATALOG_CHANGE_STATE_QUERY,
    CATALOG_CHANGE_TYPE,
    DECISION_REFUSED,
    ApplyCatalogChange,
    CatalogChangeDecision,
    CatalogChangeInput,
    CatalogChangeRequest,
    CatalogChangeView,
    ChangeKind,
    ChangeStatus,
    catalog_change_workflow_id,
    change_source,
)
from services.contracts.catalog_versions import CatalogVersion
from services.contracts.events import EventKind
from services.engines.catalog_store import CatalogMoved
from services.workflows.catalog_change.catalog_change import CatalogChange
from services.workflows.catalog_change.catalog_change_activities import CatalogChangeActivities
from tests.workflows.harness import PublishedEvents, Sources, around, eventually

CENTRE = "coordination-centre"


class MemoryCatalogs:
    """Stands in for `CatalogStore`: numbered versions and a current one; `gate` holds a publish until set."""

    def __init__(self, catalog: ResponsibilityCatalog) -> None:
        self.stored: dict[int, CatalogVersion] = {}
        self.current = 0
        self.gate: asyncio.Event | None = None
        self.publish_now(catalog, source="import")

    def publish_now(self, catalog: ResponsibilityCatalog, *, source: str, note: str = "") -> CatalogVersion:
        number = max(self.stored, default=0) + 1
        stored = CatalogVersion(
            version=number,
            created_at=datetime.now(UTC),
            source=source,
            note=note,
            catalog=catalog.model_copy(update={"version": str(number)}),
        )
        self.stored[number] = stored
        self.current = number
        return stored

    async def load_current(self) -> CatalogVersion:
        return self.stored[self.current]

    async def find_source(self, source: str, *, after: int = 0) -> CatalogVersion | None:
        found = [v for n, v in sorted(self.stored.items()) if n > after and v.source == source]
        return found[-1] if found else None

    async def publish(
        self, catalog: ResponsibilityCatalog, *, source: str, note: str = "", based_on: int | None = None
    ) -> CatalogVersion:
        if self.gate is not None:
            await self.gate.wait()
        if based_on is not None and based_on != self.current:
            raise CatalogMoved(based_on, self.current)
        return self.publish_now(catalog, source=source, note=note)


@dataclass
class MemoryRecords:
    """Stands in for the `catalog_changes` bucket: every save, and the record as it stands."""

    saved: list[CatalogChangeView] = field(default_factory=list)

    async def save(self, view: CatalogChangeView) -> bool:
        self.saved.append(view)
        return True

    def statuses(self) -> list[str]:
        return [view.status.value for view in self.saved]


@dataclass
class Changes:
    env: WorkflowEnvironment
    task_queue: str
    catalogs: MemoryCatalogs
    records: MemoryRecords
    published: PublishedEvents
    sources: Sources

    async def submit(self, request: CatalogChangeRequest) -> WorkflowHandle[Any, CatalogChangeView]:
        """Start a change against the current version and wait until the centre has been told of it."""
        change_id = str(uuid.uuid4())
        current = await self.catalogs.load_current()
        handle = await self.env.client.start_workflow(
            CATALOG_CHANGE_TYPE,
            CatalogChangeInput(
                change_id=change_id,
                request=request,
                submitted_against=current.version,
                item_before=current.catalog.item(request.item_code),
            ),
            id=catalog_change_workflow_id(change_id),
            task_queue=self.task_queue,
            result_type=CatalogChangeView,
        )

        async def centre_told() -> None:
            assert self.published.to(EventKind.CATALOG_CHANGE_PENDING) != []

        await eventually(centre_told, "the coordination centre is told of the application")
        return handle


@pytest.fixture
async def changes(env: WorkflowEnvironment, published: PublishedEvents, sources: Sources) -> AsyncIterator[Changes]:
    catalogs = MemoryCatalogs(load_catalog())
    records = MemoryRecords()
    activities = CatalogChangeActivities(catalogs=catalogs, records=records)
    queue = f"catalog-changes-{uuid.uuid4()}"
    async with Worker(
        env.client,
        task_queue=queue,
        workflows=[CatalogChange],
        activities=[
            published.publish_notification,
            sources.activities().compute_deadline,
            activities.apply_catalog_change,
            activities.record_catalog_change,
        ],
    ):
        yield Changes(env, queue, catalogs, records, published, sources)


def move_kw05_to(unit: str, *, by: str = "commerce") -> CatalogChangeRequest:
    """KW-05 (招商引资项目落地服务, commerce's duty) handed to another unit."""
    fields = load_catalog().items["KW-05"].model_dump() | {"primary_unit": unit}
    item = CatalogItem.model_validate(fields)
    return CatalogChangeRequest(unit=by, kind=ChangeKind.CHANGE, item_code="KW-05", item=item, reason="职能划转")


async def decide(handle: WorkflowHandle[Any, CatalogChangeView], unit: str, approved: bool) -> CatalogChangeView:
    decision = CatalogChangeDecision(unit=unit, approved=approved, note="同意" if approved else "不同意")
    view: CatalogChangeView = await handle.execute_update(
        CATALOG_CHANGE_DECIDE_UPDATE, decision, result_type=CatalogChangeView
    )
    return view


async def refused(handle: WorkflowHandle[Any, CatalogChangeView], unit: str, approved: bool = True) -> str:
    with pytest.raises(WorkflowUpdateFailedError) as failed:
        await decide(handle, unit, approved)
    cause = failed.value.cause
    assert isinstance(cause, ApplicationError) and cause.type == DECISION_REFUSED, cause
    return cause.message


async def test_an_approved_change_becomes_the_next_catalog_version(changes: Changes) -> None:
    handle = await changes.submit(move_kw05_to("development-reform"))
    pending: CatalogChangeView = await handle.query(CATALOG_CHANGE_STATE_QUERY, result_type=CatalogChangeView)
    assert pending.status is ChangeStatus.PENDING and pending.item_before is not None
    assert pending.item_before.primary_unit == "commerce"
    assert pending.decision_due == changes.sources.calendar.add_working_days(pending.submitted_at, 5).at
    assert changes.published.to(EventKind.CATALOG_CHANGE_PENDING) == [(CENTRE, "coordination")]

    approved = await decide(handle, CENTRE, approved=True)

    assert (approved.status, approved.catalog_version, approved.decided_by) == (ChangeStatus.APPROVED, 2, CENTRE)
    current = await changes.catalogs.load_current()
    assert (current.version, current.source, current.note) == (2, change_source(approved.change_id), "职能划转")
    assert current.catalog.items["KW-05"].primary_unit == "development-reform"
    assert current.catalog.digest != changes.catalogs.stored[1].catalog.digest
    assert changes.records.statuses() == ["pending", "approved"]
    assert [view.revision for view in changes.records.saved] == [1, 2]
    assert [entry.action for entry in approved.timeline] == ["submitted", "approved", "applied"]
    assert (await handle.result()).status is ChangeStatus.APPROVED
    assert changes.published.to(EventKind.CATALOG_CHANGE_DECIDED) == [("commerce", "unit")]


async def test_a_refused_change_publishes_no_version(changes: Changes) -> None:
    handle = await changes.submit(move_kw05_to("development-reform"))

    refused_change = await decide(handle, CENTRE, approved=False)

    assert (refused_change.status, refused_change.catalog_version, refused_change.note) == (
        ChangeStatus.REFUSED,
        None,
        "不同意",
    )
    assert changes.catalogs.current == 1 and list(changes.catalogs.stored) == [1]
    assert changes.records.statuses() == ["pending", "refused"]
    await handle.result()
    [told] = changes.published.of_kind(EventKind.CATALOG_CHANGE_DECIDED)
    assert (told.unit, told.status, told.detail) == ("commerce", "refused", "不同意")


async def test_a_change_nobody_decides_expires_after_a_reminder_at_three_quarters(changes: Changes) -> None:
    handle = await changes.submit(move_kw05_to("development-reform"))
    pending: CatalogChangeView = await handle.query(CATALOG_CHANGE_STATE_QUERY, result_type=CatalogChangeView)
    assert pending.decision_due is not None

    expired = await handle.result()

    assert expired.status is ChangeStatus.EXPIRED and expired.decided_by is None
    assert [entry.action for entry in expired.timeline] == ["submitted", "expired"]
    assert around(expired.timeline[-1].at, pending.decision_due)
    [reminder] = changes.published.of_kind(EventKind.REMINDER)
    expected = pending.submitted_at + (pending.decision_due - pending.submitted_at) * 0.75
    assert reminder.unit == CENTRE and around(reminder.occurred_at, expected)
    assert changes.published.to(EventKind.CATALOG_CHANGE_EXPIRED) == [("commerce", "unit"), (CENTRE, "coordination")]
    assert changes.records.statuses() == ["pending", "expired"]
    assert list(changes.catalogs.stored) == [1]


async def test_only_the_coordination_centre_decides_and_only_once(changes: Changes) -> None:
    handle = await changes.submit(move_kw05_to("development-reform"))
    assert "only the coordination centre decides" in await refused(handle, "commerce")
    assert "only the coordination centre decides" in await refused(handle, "development-reform", approved=False)

    changes.catalogs.gate = asyncio.Event()  # the first approval is being applied while the second arrives
    first = asyncio.create_task(decide(handle, CENTRE, approved=True))

    async def applying() -> None:
        view = await handle.query(CATALOG_CHANGE_STATE_QUERY, result_type=CatalogChangeView)
        assert view.timeline[-1].action == "approved"

    await eventually(applying, "the approval is being applied")
    assert "already been decided by 'coordination-centre'" in await refused(handle, CENTRE, approved=False)
    changes.catalogs.gate.set()
    assert (await first).status is ChangeStatus.APPROVED
    assert changes.records.statuses() == ["pending", "approved"]


async def test_an_approved_change_that_no_longer_fits_fails_with_the_reason(changes: Changes) -> None:
    health_item = load_catalog().items["HE-04"].model_copy(update={"supporting_units": ("market-regulation",)})
    handle = await changes.submit(
        CatalogChangeRequest(unit="health", kind=ChangeKind.CHANGE, item_code="HE-04", item=health_item, reason="补充")
    )
    # Meanwhile an import removes the item.
    without = dict(changes.catalogs.stored[1].catalog.items)
    del without["HE-04"]
    changes.catalogs.publish_now(
        changes.catalogs.stored[1].catalog.model_copy(update={"items": without}), source="import"
    )

    failed = await decide(handle, CENTRE, approved=True)

    assert failed.status is ChangeStatus.FAILED and failed.catalog_version is None
    assert failed.failure_reason == "no longer fits catalog version 2: item_code: unknown catalog item 'HE-04'"
    assert list(changes.catalogs.stored) == [1, 2]
    assert changes.records.statuses() == ["pending", "failed"]
    await handle.result()
    told = changes.published.of_kind(EventKind.CATALOG_CHANGE_DECIDED)
    assert [(e.unit, e.status) for e in told] == [("health", "failed"), (CENTRE, "failed")]
    assert all("HE-04" in e.detail for e in told)


async def test_applying_again_finds_the_version_it_published_and_a_moved_catalog_is_followed() -> None:
    catalogs = MemoryCatalogs(load_catalog())
    activities = CatalogChangeActivities(catalogs=catalogs, records=MemoryRecords())
    apply = ApplyCatalogChange(
        change_id=str(uuid.uuid4()), request=move_kw05_to("development-reform"), submitted_against=1
    )
    environment = ActivityEnvironment()

    # Another version became current between reading the catalog and publishing: the change is made to it.
    original_publish = catalogs.publish

    async def import_first(catalog: ResponsibilityCatalog, **kwargs: Any) -> CatalogVersion:
        if catalogs.current == 1:
            catalogs.publish_now(catalogs.stored[1].catalog, source="import", note="concurrent import")
        return await original_publish(catalog, **kwargs)

    catalogs.publish = import_first  # type: ignore[method-assign]
    first = await environment.run(activities.apply_catalog_change, apply)
    again = await environment.run(activities.apply_catalog_change, apply)

    assert (first.applied, first.version) == (True, 3)
    assert (again.applied, again.version) == (True, 3)
    assert [v.source for v in catalogs.stored.values()] == ["import", "import", change_source(apply.change_id)]
    assert catalogs.stored[3].catalog.items["KW-05"].primary_unit == "development-reform"
    assert timedelta(0) <= datetime.now(UTC) - catalogs.stored[3].created_at < timedelta(minutes=1)
