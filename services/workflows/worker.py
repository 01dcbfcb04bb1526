"""Builds the Temporal worker that runs case workflows and their activities."""

from __future__ import annotations

from temporalio.client import Client
from temporalio.worker import Worker

from services.contracts.subjects import CASE_TASK_QUEUE
from services.workflows.activities import NotificationActivities
from services.workflows.first_contact_case import FirstContactCase
from services.workflows.settings import WorkflowsSettings

WORKFLOWS = [FirstContactCase]


def build_worker(
    client: Client,
    *,
    activities: NotificationActivities,
    settings: WorkflowsSettings,
    task_queue: str = CASE_TASK_QUEUE,
) -> Worker:
    """One worker for the case task queue, tuned by settings."""
    return Worker(
        client,
        task_queue=task_queue,
        workflows=WORKFLOWS,
        activities=[activities.publish_notification],
        max_concurrent_workflow_tasks=settings.max_concurrent_workflow_tasks,
        max_concurrent_activities=settings.max_concurrent_activities,
        max_cached_workflows=settings.max_cached_workflows,
    )
