"""Builds the Temporal worker of the assessment service: its workflows and their activities."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from temporalio.client import Client
from temporalio.worker import Worker

from services.assessment.classes.hotspot_scan import HotspotScan
from services.assessment.rectification.rectification import SpecialRectification
from services.assessment.reports.report_workflow import AssessmentReport
from services.assessment.settings import AssessmentSettings
from services.contracts.subjects import ASSESSMENT_TASK_QUEUE

WORKFLOWS: list[type] = [AssessmentReport, HotspotScan, SpecialRectification]


def build_worker(
    client: Client,
    *,
    activities: Sequence[Callable[..., Any]],
    settings: AssessmentSettings,
    task_queue: str = ASSESSMENT_TASK_QUEUE,
) -> Worker:
    return Worker(
        client,
        task_queue=task_queue,
        workflows=WORKFLOWS,
        activities=list(activities),
        max_concurrent_activities=settings.max_concurrent_activities,
    )
