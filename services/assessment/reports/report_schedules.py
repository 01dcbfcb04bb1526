"""The Temporal Schedules that issue the reports: created at the assessment service's start, or brought up to the
settings if they exist (so a changed time or zone takes effect on the next deploy), removed when switched off."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

import structlog
from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleSpec,
    ScheduleUpdate,
    ScheduleUpdateInput,
)
from temporalio.service import RPCError, RPCStatusCode

from services.contracts.assessment_reports import ReportKind
from services.contracts.report_workflow import REPORT_WORKFLOW_TYPE, ReportRequest
from services.contracts.subjects import ASSESSMENT_TASK_QUEUE

log = structlog.get_logger("services.assessment.schedules")

# A missed firing (the cluster or the service down) still runs if it comes back within this window.
CATCHUP_WINDOW = timedelta(days=2)


def schedule_id(kind: ReportKind) -> str:
    return f"assessment-report-{kind.value.replace('_', '-')}"


def report_schedule(kind: ReportKind, cron: str, time_zone: str, *, task_queue: str) -> Schedule:
    return Schedule(
        action=ScheduleActionStartWorkflow(
            REPORT_WORKFLOW_TYPE,
            ReportRequest(kind=kind),
            id=f"report-{kind.value.replace('_', '-')}",
            task_queue=task_queue,
        ),
        spec=ScheduleSpec(cron_expressions=[cron], time_zone_name=time_zone),
        # One report of a kind at a time; a firing that finds the last one still running is skipped (the next
        # produces its own period's report).
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP, catchup_window=CATCHUP_WINDOW),
    )


async def ensure_report_schedules(
    client: Client, crons: Mapping[ReportKind, str], time_zone: str, *, task_queue: str = ASSESSMENT_TASK_QUEUE
) -> list[str]:
    """Make the schedules match `crons` (an empty cron: no schedule of that kind); the ids in force."""
    in_force = []
    for kind in ReportKind:
        cron = crons.get(kind, "")
        if not cron:
            await _remove(client, schedule_id(kind))
            continue
        schedule = report_schedule(kind, cron, time_zone, task_queue=task_queue)
        try:
            await client.create_schedule(schedule_id(kind), schedule)
        except ScheduleAlreadyRunningError:

            def replace(_: ScheduleUpdateInput, schedule: Schedule = schedule) -> ScheduleUpdate:
                return ScheduleUpdate(schedule=schedule)

            await client.get_schedule_handle(schedule_id(kind)).update(replace)
        in_force.append(schedule_id(kind))
    log.info("report_schedules.ensured", schedules=in_force, time_zone=time_zone)
    return in_force


async def _remove(client: Client, identifier: str) -> None:
    try:
        await client.get_schedule_handle(identifier).delete()
    except RPCError as error:
        if error.status is not RPCStatusCode.NOT_FOUND:
            raise
