"""Builds the Temporal worker that runs case workflows and their activities."""

from __future__ import annotations

from temporalio.client import Client
from temporalio.worker import Worker

from services.contracts.subjects import CASE_TASK_QUEUE
from services.workflows.activities import NotificationActivities
from services.workflows.deadline_activities import DeadlineActivities
from services.workflows.first_contact_case import FirstContactCase
from services.workflows.joint_task import JointTask
from services.workflows.settings import WorkflowsSettings
from services.workflows.top_level_coordination import TopLevelCoordination

WORKFLOWS = [FirstContactCase, JointTask, TopLevelCoordination]


def build_worker(
    client: Client,
    *,
    notifications: NotificationActivities,
    deadlines: DeadlineActivities,
    settings: WorkflowsSettings,
    task_queue: str = CASE_TASK_QUEUE,
) -> Worker:
    """One worker for the case task queue, tuned by settings."""
    return Worker(
        client,
        task_queue=task_queue,
        workflows=WORKFLOWS,
        activities=[
            notifications.publish_notification,
            deadlines.resolve_case_policy,
            deadlines.compute_deadline,
            deadlines.next_working_day_start,
        ],
        max_concurrent_workflow_tasks=settings.max_concurrent_workflow_tasks,
        max_concurrent_activities=settings.max_concurrent_activities,
        max_cached_workflows=settings.max_cached_workflows,
    )
