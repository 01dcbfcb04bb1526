"""The Temporal Schedule that runs `HotspotScan`: created, or brought up to date, each time the service starts."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import structlog
from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleIntervalSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleSpec,
    ScheduleUpdate,
    ScheduleUpdateInput,
)

from services.contracts.case_classes import HOTSPOT_SCAN_SCHEDULE_ID, HOTSPOT_SCAN_TYPE, ScanInput

log = structlog.get_logger(__name__)

# After an outage, one catch-up run at most: a scan covers every window up to its own time anyway.
CATCHUP_WINDOW = timedelta(minutes=5)


def scan_schedule(*, every: timedelta, task_queue: str) -> Schedule:
    """A scan every `every`; a run still going when the next is due makes that one skipped, not queued."""
    return Schedule(
        action=ScheduleActionStartWorkflow(
            HOTSPOT_SCAN_TYPE,
            ScanInput(),
            id=HOTSPOT_SCAN_SCHEDULE_ID,
            task_queue=task_queue,
            execution_timeout=max(every, timedelta(minutes=30)),
        ),
        spec=ScheduleSpec(intervals=[ScheduleIntervalSpec(every=every)]),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.SKIP, catchup_window=CATCHUP_WINDOW),
    )


async def ensure_scan_schedule(
    client: Client, *, every: timedelta, task_queue: str, schedule_id: str = HOTSPOT_SCAN_SCHEDULE_ID
) -> None:
    """Create the schedule, or (it exists) replace its spec and action with these: the same at every start."""
    schedule = scan_schedule(every=every, task_queue=task_queue)
    try:
        await client.create_schedule(schedule_id, schedule)
        log.info("hotspots.schedule_created", schedule_id=schedule_id, every_seconds=every.total_seconds())
        return
    except ScheduleAlreadyRunningError:
        pass

    def updated(current: ScheduleUpdateInput) -> ScheduleUpdate:
        # The state (paused by an operator, with a note) is kept; spec, action and policy are ours.
        return ScheduleUpdate(schedule=dataclasses.replace(schedule, state=current.description.schedule.state))

    await client.get_schedule_handle(schedule_id).update(updated)
    log.info("hotspots.schedule_updated", schedule_id=schedule_id, every_seconds=every.total_seconds())
