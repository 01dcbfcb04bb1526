"""`AssessmentReport`: a stored report is not made again, only the run that stores a report delivers it, a re-run is
the next version, and a run without a moment reports on its schedule's period (activities in memory; the real ones are
tested on PostgreSQL and NATS in tests/integration/test_stored_reports_api.py)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import datetime

import pytest
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from services.assessment.reports.report_periods import scheduled_period
from services.assessment.reports.report_workflow import AssessmentReport
from services.contracts.assessment_periods import CITY_TZ
from services.contracts.assessment_reports import ReportKind
from services.contracts.report_workflow import REPORT_WORKFLOW_TYPE, ReportOutcome, ReportRequest
from tests.workflows.assessment.memory_reports import MemoryReports


@pytest.fixture
def reports() -> MemoryReports:
    return MemoryReports()


@pytest.fixture
async def task_queue(env: WorkflowEnvironment, reports: MemoryReports) -> AsyncIterator[str]:
    queue = f"assessment-{uuid.uuid4()}"
    activities = [reports.plan_report, reports.produce_report, reports.deliver_report]
    async with Worker(env.client, task_queue=queue, workflows=[AssessmentReport], activities=activities):
        yield queue


async def run(env: WorkflowEnvironment, task_queue: str, request: ReportRequest) -> ReportOutcome:
    outcome: ReportOutcome = await env.client.execute_workflow(
        REPORT_WORKFLOW_TYPE,
        request,
        id=f"report-{uuid.uuid4()}",
        task_queue=task_queue,
        result_type=ReportOutcome,
    )
    return outcome


AT = datetime(2026, 11, 20, 10, 0, tzinfo=CITY_TZ)


async def test_a_report_is_made_and_sent_once_and_a_rerun_is_the_next_version(
    env: WorkflowEnvironment, task_queue: str, reports: MemoryReports
) -> None:
    asked = ReportRequest(kind=ReportKind.MONTHLY, at=AT)
    first = await run(env, task_queue, asked)
    again = await run(env, task_queue, asked)
    rerun = await run(env, task_queue, asked.model_copy(update={"rerun": True}))

    assert first == ReportOutcome(report_id="monthly-month-2026-11-01-v1", created=True, delivered_to=2)
    assert again == ReportOutcome(report_id="monthly-month-2026-11-01-v1", created=False)
    assert rerun == ReportOutcome(report_id="monthly-month-2026-11-01-v2", created=True, delivered_to=2)
    assert reports.delivered == ["monthly-month-2026-11-01-v1", "monthly-month-2026-11-01-v2"]


async def test_a_run_that_loses_the_race_to_store_does_not_deliver(
    env: WorkflowEnvironment, task_queue: str, reports: MemoryReports
) -> None:
    reports.lose_the_race = True
    outcome = await run(env, task_queue, ReportRequest(kind=ReportKind.WEEKLY, at=AT))
    assert outcome == ReportOutcome(report_id="weekly-week-2026-11-16-v1", created=False)
    assert reports.delivered == []


async def test_a_run_without_a_moment_reports_on_the_schedule_s_period(
    env: WorkflowEnvironment, task_queue: str, reports: MemoryReports
) -> None:
    # Started by a schedule, it counts from TemporalScheduledStartTime (which the time-skipping server does not
    # know: tests/integration/test_stored_reports_api.py triggers the real schedule); here from its start.
    before = await env.get_current_time()
    outcome = await run(env, task_queue, ReportRequest(kind=ReportKind.WEEKLY))
    [plan] = reports.asked
    assert plan.at is None and plan.fired_at >= before.replace(microsecond=0)
    assert outcome.report_id == f"weekly-{scheduled_period(ReportKind.WEEKLY, plan.fired_at).key}-v1"
