"""`SpecialRectification` on skipped time: weekly progress or a reminder, the deadline told once, cases that join
the class linked, and the coordination centre's closing. The records are in memory; notices go to the fake
publisher."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from pydantic import BaseModel
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from services.assessment.rectification.rectification import SpecialRectification
from services.contracts.case_classes import RectificationCadence
from services.contracts.events import EventKind
from services.contracts.rectifications import (
    RECTIFICATION_CLOSE_UPDATE,
    RECTIFICATION_OPENED_UPDATE,
    RECTIFICATION_PROGRESS_UPDATE,
    RECTIFICATION_REFUSED,
    RECTIFICATION_TYPE,
    RectificationClosing,
    RectificationProgress,
    RectificationRequest,
    RectificationStart,
    RectificationStatus,
    RectificationView,
    rectification_workflow_id,
)
from tests.workflows.assessment.memory_records import MemoryRectifications
from tests.workflows.harness import PublishedEvents, around, eventually

CENTRE = "coordination-centre"
CLASS_ID = "5f0c7c1e-3d2a-5b7e-9a51-0c2f4e6d8b10"
WEEK = timedelta(days=7)


@dataclass
class Rectifications:
    env: WorkflowEnvironment
    task_queue: str
    records: MemoryRectifications
    published: PublishedEvents

    async def open(self, *, deadline_in: timedelta = timedelta(days=30), class_id: str = CLASS_ID) -> Opened:
        """Start one as the API does, and wait until it is open (the `opened` Update)."""
        now = await self.env.get_current_time()
        rectification_id = str(uuid.uuid4())
        request = RectificationRequest(
            class_id=class_id,
            title="河口镇供水管网集中整治",
            lead_unit="water",
            participants=["housing-construction", "hekou-town"],
            deadline=now + deadline_in,
            goal="停水投诉清零",
        )
        handle = await self.env.client.start_workflow(
            RECTIFICATION_TYPE,
            RectificationStart(rectification_id=rectification_id, request=request, opened_by=CENTRE),
            id=rectification_workflow_id(rectification_id),
            task_queue=self.task_queue,
            result_type=RectificationView,
        )
        view: RectificationView = await handle.execute_update(
            RECTIFICATION_OPENED_UPDATE, result_type=RectificationView
        )
        return Opened(handle, view)

    def told(self, kind: EventKind) -> list[tuple[str, str]]:
        return self.published.to(kind)


@dataclass
class Opened:
    handle: WorkflowHandle[Any, RectificationView]
    view: RectificationView

    async def update(self, name: str, body: BaseModel) -> RectificationView:
        view: RectificationView = await self.handle.execute_update(name, body, result_type=RectificationView)
        return view

    async def refused(self, name: str, body: BaseModel) -> str:
        with pytest.raises(WorkflowUpdateFailedError) as failed:
            await self.update(name, body)
        cause = failed.value.cause
        assert isinstance(cause, ApplicationError) and cause.type == RECTIFICATION_REFUSED, cause
        return cause.message


@pytest.fixture
async def rectifications(env: WorkflowEnvironment, published: PublishedEvents) -> AsyncIterator[Rectifications]:
    records = MemoryRectifications(classes={CLASS_ID: {"c1": False, "c2": False, "c3": True}})
    queue = f"assessment-{uuid.uuid4()}"
    async with Worker(
        env.client,
        task_queue=queue,
        workflows=[SpecialRectification],
        activities=[
            published.publish_notification,
            records.open_rectification,
            records.check_class_cases,
            records.record_rectification,
        ],
    ):
        yield Rectifications(env, queue, records, published)


def progress(unit: str = "water", text: str = "已完成片区管网排查") -> RectificationProgress:
    return RectificationProgress(unit=unit, text=text, measures=["每周二联合巡查"])


async def test_opening_links_the_class_s_open_cases_and_tells_the_units(rectifications: Rectifications) -> None:
    opened = await rectifications.open()

    view = opened.view
    assert (view.status, view.lead_unit, view.class_id) == (RectificationStatus.OPEN, "water", CLASS_ID)
    assert [case.case_id for case in view.cases] == ["c1", "c2"]  # c3 had closed
    assert (view.case_count, view.open_case_count, view.overdue) == (2, 2, False)
    assert view.next_progress_due == view.opened_at + WEEK

    async def units_told() -> None:
        assert rectifications.told(EventKind.RECTIFICATION_OPENED) == [
            ("water", "unit"),
            ("housing-construction", "unit"),
            ("hekou-town", "unit"),
        ]

    await eventually(units_told, "the lead unit and the participants are told")
    [first, *_] = rectifications.published.of_kind(EventKind.RECTIFICATION_OPENED)
    assert (first.case_id, first.title, first.due, first.detail) == (
        view.rectification_id,
        "河口镇供水管网集中整治",
        view.deadline,
        "停水投诉清零",
    )
    assert rectifications.records.latest()[view.rectification_id].status is RectificationStatus.OPEN


async def test_a_week_without_progress_reminds_the_lead_unit_and_tells_the_centre(
    rectifications: Rectifications,
) -> None:
    opened = await rectifications.open()

    await rectifications.env.sleep(WEEK + timedelta(minutes=1))

    async def reminded() -> None:
        assert rectifications.told(EventKind.RECTIFICATION_PROGRESS_DUE) == [
            ("water", "unit"),
            (CENTRE, "coordination"),
        ]

    await eventually(reminded, "the lead unit is reminded and the centre told")
    reminder = rectifications.published.of_kind(EventKind.RECTIFICATION_PROGRESS_DUE)[0]
    assert reminder.due == opened.view.opened_at + WEEK
    assert around(reminder.occurred_at, opened.view.opened_at + WEEK)
    recorded = rectifications.records.latest()[opened.view.rectification_id]
    assert recorded.next_progress_due == opened.view.opened_at + 2 * WEEK

    # A second silent week: a second reminder.
    await rectifications.env.sleep(WEEK)

    async def again() -> None:
        assert len(rectifications.told(EventKind.RECTIFICATION_PROGRESS_DUE)) == 4

    await eventually(again, "a second reminder a week later")


async def test_progress_within_the_week_puts_the_reminder_off_a_week_from_the_report(
    rectifications: Rectifications,
) -> None:
    opened = await rectifications.open()
    await rectifications.env.sleep(timedelta(days=5))

    reported = await opened.update(RECTIFICATION_PROGRESS_UPDATE, progress("hekou-town", "已排查三个小区"))

    [entry] = reported.progress
    assert (entry.unit, entry.text, entry.measures) == ("hekou-town", "已排查三个小区", ["每周二联合巡查"])
    assert reported.next_progress_due == entry.at + WEEK
    assert rectifications.records.latest()[reported.rectification_id].progress == [entry]
    await rectifications.env.sleep(timedelta(days=3))  # eight days after the opening, three after the report
    assert rectifications.told(EventKind.RECTIFICATION_PROGRESS_DUE) == []

    await rectifications.env.sleep(timedelta(days=4, minutes=1))  # a week after the report

    async def reminded() -> None:
        [to_lead, _to_centre] = rectifications.published.of_kind(EventKind.RECTIFICATION_PROGRESS_DUE)
        assert to_lead.due == entry.at + WEEK and to_lead.detail == "已排查三个小区"

    await eventually(reminded, "the reminder comes a week after the last report")


async def test_past_the_deadline_the_centre_is_told_once(rectifications: Rectifications) -> None:
    opened = await rectifications.open(deadline_in=timedelta(days=10))
    rectifications.records.classes[CLASS_ID]["c1"] = True  # one case closed meanwhile

    await rectifications.env.sleep(timedelta(days=10, minutes=1))

    async def told() -> None:
        assert rectifications.told(EventKind.RECTIFICATION_OVERDUE) == [(CENTRE, "coordination")]

    await eventually(told, "the centre is told the deadline has passed")
    overdue = rectifications.published.of_kind(EventKind.RECTIFICATION_OVERDUE)[0]
    assert (overdue.due, overdue.case_count) == (opened.view.deadline, 1)
    state: RectificationView = await opened.handle.query("state", result_type=RectificationView)
    assert state.overdue and state.status is RectificationStatus.OPEN
    assert rectifications.records.latest()[state.rectification_id].overdue

    await rectifications.env.sleep(timedelta(days=10))
    assert len(rectifications.told(EventKind.RECTIFICATION_OVERDUE)) == 1


async def test_cases_that_join_the_class_while_it_runs_are_linked(rectifications: Rectifications) -> None:
    opened = await rectifications.open()
    rectifications.records.classes[CLASS_ID] |= {"c4": False, "c2": True}

    await rectifications.env.sleep(timedelta(hours=6, minutes=1))

    async def linked() -> None:
        latest = rectifications.records.latest()[opened.view.rectification_id]
        assert [(case.case_id, case.closed) for case in latest.cases] == [("c1", False), ("c2", True), ("c4", False)]
        assert (latest.case_count, latest.open_case_count) == (3, 2)
        assert latest.cases[2].linked_at > opened.view.opened_at

    await eventually(linked, "the new case is linked and the closed one marked")


async def test_the_centre_closes_it_with_a_result_and_the_units_are_told(rectifications: Rectifications) -> None:
    opened = await rectifications.open()
    await opened.update(RECTIFICATION_PROGRESS_UPDATE, progress())

    closed = await opened.update(RECTIFICATION_CLOSE_UPDATE, RectificationClosing(unit=CENTRE, result="管网改造完成"))

    assert (closed.status, closed.result, closed.closed_by, closed.next_progress_due) == (
        RectificationStatus.CLOSED,
        "管网改造完成",
        CENTRE,
        None,
    )
    assert closed.closed_at is not None
    final = await opened.handle.result()
    assert final == closed
    assert rectifications.records.latest()[closed.rectification_id] == closed
    assert rectifications.told(EventKind.RECTIFICATION_CLOSED) == [
        ("water", "unit"),
        ("housing-construction", "unit"),
        ("hekou-town", "unit"),
    ]
    await rectifications.env.sleep(2 * WEEK)
    assert rectifications.told(EventKind.RECTIFICATION_PROGRESS_DUE) == []


async def test_only_its_units_report_only_the_centre_closes_and_only_while_open(
    rectifications: Rectifications,
) -> None:
    opened = await rectifications.open()

    assert "neither the lead unit nor a participant" in await opened.refused(
        RECTIFICATION_PROGRESS_UPDATE, progress("ecology-environment")
    )
    assert "only the coordination centre closes" in await opened.refused(
        RECTIFICATION_CLOSE_UPDATE, RectificationClosing(unit="water", result="已完成")
    )
    await opened.update(RECTIFICATION_CLOSE_UPDATE, RectificationClosing(unit=CENTRE, result="已完成"))
    assert opened.view.revision < rectifications.records.latest()[opened.view.rectification_id].revision


async def test_a_class_under_rectification_is_not_opened_again(rectifications: Rectifications) -> None:
    first = await rectifications.open()

    with pytest.raises(WorkflowUpdateFailedError) as failed:
        await rectifications.open()

    cause = failed.value.cause
    assert isinstance(cause, ApplicationError) and cause.type == RECTIFICATION_REFUSED
    assert f"already under special rectification {first.view.rectification_id}" in cause.message
    with pytest.raises(WorkflowUpdateFailedError):
        await rectifications.open(class_id="00000000-0000-4000-8000-000000000000")
    assert list(rectifications.records.latest()) == [first.view.rectification_id]


async def test_a_long_rectification_continues_as_new_with_its_state(
    env: WorkflowEnvironment, published: PublishedEvents
) -> None:
    """Looking for new cases every 36 s, it passes 4,000 history events within hours: the run continues as new,
    carrying its cases, progress and notices' sequence, and goes on taking progress and its closing."""
    records = MemoryRectifications(
        classes={CLASS_ID: {"c1": False}}, cadence=RectificationCadence(check_cases_every_hours=0.01)
    )
    queue = f"assessment-{uuid.uuid4()}"
    async with Worker(
        env.client,
        task_queue=queue,
        workflows=[SpecialRectification],
        activities=[
            published.publish_notification,
            records.open_rectification,
            records.check_class_cases,
            records.record_rectification,
        ],
    ):
        rectifications = Rectifications(env, queue, records, published)
        opened = await rectifications.open()
        await opened.update(RECTIFICATION_PROGRESS_UPDATE, progress())
        first_run = (await opened.handle.describe()).run_id

        records.classes[CLASS_ID]["c2"] = False
        await env.sleep(timedelta(hours=6))

        async def continued() -> None:
            assert (await opened.handle.describe()).run_id != first_run

        await eventually(continued, "the rectification continued as new")
        fresh = env.client.get_workflow_handle(opened.handle.id, result_type=RectificationView)
        reported = await fresh.execute_update(
            RECTIFICATION_PROGRESS_UPDATE, progress(text="第二周"), result_type=RectificationView
        )
        assert [entry.text for entry in reported.progress] == ["已完成片区管网排查", "第二周"]
        assert [case.case_id for case in reported.cases] == ["c1", "c2"]
        closed = await fresh.execute_update(
            RECTIFICATION_CLOSE_UPDATE, RectificationClosing(unit=CENTRE, result="完成"), result_type=RectificationView
        )
        assert closed.status is RectificationStatus.CLOSED
        ids = [event.event_id for event in published.events if event.case_id == closed.rectification_id]
        assert len(ids) == len(set(ids))  # the notices' sequence went on where it was
