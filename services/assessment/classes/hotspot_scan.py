"""`HotspotScan`: find the classes of cases, store them, and tell the coordination centre of each new one once.

Pure orchestration, started by a Temporal Schedule (`scan_schedule.py`, hourly by default). The scan activity
finds and stores the classes and answers with those the centre has not been told of (this run's, and any an earlier
run found but did not get to tell); each gets one `case_class_found` notice, whose event id comes from the class, and
is then marked as told. A run repeated, or retried halfway, tells no class twice.
"""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel
from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from services.assessment.classes.hotspot_activities import HotspotActivities, MarkNotified, ScanRequest
    from services.assessment.notices import Subject, notice, publish
    from services.contracts.case_actions import COORDINATION_CENTRE
    from services.contracts.case_classes import HOTSPOT_SCAN_TYPE, ScanInput
    from services.contracts.events import Audience, EventKind

SCAN_TIMEOUT = timedelta(minutes=10)
MARK_TIMEOUT = timedelta(seconds=30)
# A scan the database cannot serve is tried again a few times, then left to the next scheduled run.
SCAN_RETRY = RetryPolicy(
    initial_interval=timedelta(seconds=5), maximum_interval=timedelta(minutes=2), maximum_attempts=5
)
MARK_RETRY = RetryPolicy(initial_interval=timedelta(seconds=1), maximum_interval=timedelta(minutes=1))
# The first notice of a class: its event id is `<class_id>:1`, whichever run sends it.
CLASS_FOUND_SEQUENCE = 1


class ScanOutcome(BaseModel):
    thresholds_version: str
    new_classes: int
    grown_classes: int
    notified: list[str]


@workflow.defn(name=HOTSPOT_SCAN_TYPE)
class HotspotScan:
    @workflow.run
    async def run(self, start: ScanInput) -> ScanOutcome:
        now = workflow.now()
        result = await workflow.execute_activity_method(
            HotspotActivities.scan_hotspots,
            ScanRequest(at=now),
            start_to_close_timeout=SCAN_TIMEOUT,
            retry_policy=SCAN_RETRY,
        )
        for found in result.to_notify:
            about = Subject(
                subject_id=found.class_id,
                title=found.label,
                catalog_item=found.catalog_item,
                township=found.township,
            )
            await publish(
                notice(
                    about,
                    kind=EventKind.CASE_CLASS_FOUND,
                    sequence=CLASS_FOUND_SEQUENCE,
                    at=now,
                    recipient=COORDINATION_CENTRE,
                    audience=Audience.COORDINATION,
                    detail=found.kind_name,
                    case_count=found.case_count,
                )
            )
        told = [found.class_id for found in result.to_notify]
        if told:
            await workflow.execute_activity_method(
                HotspotActivities.mark_classes_notified,
                MarkNotified(class_ids=told, at=now),
                start_to_close_timeout=MARK_TIMEOUT,
                retry_policy=MARK_RETRY,
            )
        return ScanOutcome(
            thresholds_version=result.thresholds_version,
            new_classes=result.new_classes,
            grown_classes=result.grown_classes,
            notified=told,
        )
