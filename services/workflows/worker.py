"""Builds the Temporal worker that runs case workflows and their activities."""

from __future__ import annotations

from temporalio.client import Client
from temporalio.worker import Worker

from services.contracts.subjects import CASE_TASK_QUEUE
from services.workflows.activities import NotificationActivities
from services.workflows.catalog_change import CatalogChange
from services.workflows.catalog_change_activities import CatalogChangeActivities
from services.workflows.deadline_activities import DeadlineActivities
from services.workflows.first_contact_case import FirstContactCase
from services.workflows.joint_task import JointTask
from services.workflows.settings import WorkflowsSettings
from services.workflows.top_level_coordination import TopLevelCoordination
from services.workflows.triage_activities import TriageActivities
from services.workflows.triage_case import TriageCase

WORKFLOWS = [FirstContactCase, JointTask, TopLevelCoordination, CatalogChange, TriageCase]


def build_worker(
    client: Client,
    *,
    notifications: NotificationActivities,
    deadlines: DeadlineActivities,
    catalog_changes: CatalogChangeActivities,
    triage: TriageActivities,
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
            catalog_changes.apply_catalog_change,
            catalog_changes.record_catalog_change,
            triage.record_triage_decision,
            triage.publish_routed_case,
        ],
        max_concurrent_workflow_tasks=settings.max_concurrent_workflow_tasks,
        max_concurrent_activities=settings.max_concurrent_activities,
        max_cached_workflows=settings.max_cached_workflows,
    )
