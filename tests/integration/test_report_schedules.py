"""The report schedules on a real Temporal server: created with the city's times, brought up to changed settings,
removed when switched off. (Temporal's time-skipping test server does not implement schedules, temporalio/sdk-java
#1954: that a schedule fires the report workflow is tested with the whole system, test_reports_api.py.)"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest_asyncio
from temporalio.client import Client, ScheduleActionStartWorkflow

from services.assessment.reports.report_schedules import ensure_report_schedules, schedule_id
from services.assessment.settings import AssessmentSettings
from services.contracts.assessment_periods import CITY_TZ
from services.contracts.assessment_reports import ReportKind
from services.contracts.report_workflow import REPORT_WORKFLOW_TYPE
from services.engines.temporal import data_converter
from tests.support.engines import TemporalDevServer


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def client(tmp_path_factory: object) -> AsyncIterator[Client]:
    server = TemporalDevServer.at(Path(tmp_path_factory.mktemp("schedules")))  # type: ignore[attr-defined]
    await server.start()
    try:
        # The services' converter (pydantic, payloads sealed): the schedule's arguments are stored as they send them.
        yield await Client.connect(server.address, data_converter=data_converter(AssessmentSettings()))
    finally:
        server.stop()


async def next_times(client: Client, kind: ReportKind) -> list[datetime]:
    described = await client.get_schedule_handle(schedule_id(kind)).describe()
    return [moment.astimezone(CITY_TZ) for moment in described.info.next_action_times]


async def test_the_default_schedules_issue_each_report_at_the_city_s_times(client: Client) -> None:
    settings = AssessmentSettings()
    ids = await ensure_report_schedules(client, settings.report_crons(), settings.report_time_zone)
    assert ids == [schedule_id(kind) for kind in ReportKind]

    weekly = await next_times(client, ReportKind.WEEKLY)
    assert len(weekly) >= 3
    assert all((t.weekday(), t.hour, t.minute) == (4, 17, 0) for t in weekly)  # Fridays at 17:00, Beijing time
    half_monthly = await next_times(client, ReportKind.HALF_MONTHLY)
    assert all(t.day in (1, 16) and t.hour == 9 for t in half_monthly)
    monthly = await next_times(client, ReportKind.MONTHLY)
    assert all((t.day, t.hour) == (1, 9) for t in monthly)
    quarterly = await next_times(client, ReportKind.QUARTERLY)
    assert all((t.month, t.day, t.hour) in {(1, 1, 9), (4, 1, 9), (7, 1, 9), (10, 1, 9)} for t in quarterly)

    described = await client.get_schedule_handle(schedule_id(ReportKind.WEEKLY)).describe()
    action = described.schedule.action
    assert isinstance(action, ScheduleActionStartWorkflow)
    assert action.workflow == REPORT_WORKFLOW_TYPE


async def test_changed_settings_move_a_schedule_and_an_empty_cron_removes_it(client: Client) -> None:
    crons = AssessmentSettings().report_crons() | {ReportKind.WEEKLY: "30 16 * * THU", ReportKind.QUARTERLY: ""}
    ids = await ensure_report_schedules(client, crons, "Asia/Shanghai")

    assert schedule_id(ReportKind.QUARTERLY) not in ids
    assert all((t.weekday(), t.hour, t.minute) == (3, 16, 30) for t in await next_times(client, ReportKind.WEEKLY))
    listed = [entry.id async for entry in await client.list_schedules()]
    assert schedule_id(ReportKind.QUARTERLY) not in listed
    # Run again with the same settings: nothing changes, nothing fails.
    assert await ensure_report_schedules(client, crons, "Asia/Shanghai") == ids
