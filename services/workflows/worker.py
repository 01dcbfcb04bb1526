"""Builds the Temporal worker that runs case workflows and their activities."""

from __future__ import annotations

from temporalio.client import Client
from temporalio.worker import Worker, WorkflowRunner
from temporalio.worker.workflow_sandbox import SandboxedWorkflowRunner, SandboxRestrictions

from services.contracts.subjects import CASE_TASK_QUEUE
from services.workflows.calendar.deadline_activities import DeadlineActivities
from services.workflows.case.first_contact_case import FirstContactCase
from services.workflows.catalog_change.catalog_change import CatalogChange
from services.workflows.catalog_change.catalog_change_activities import CatalogChangeActivities
from services.workflows.joint.joint_task import JointTask
from services.workflows.publishing.activities import NotificationActivities
from services.workflows.settings import WorkflowsSettings
from services.workflows.top_level.top_level_coordination import TopLevelCoordination
from services.workflows.triage.triage_activities import TriageActivities
from services.workflows.triage.triage_case import TriageCase

WORKFLOWS = [FirstContactCase, JointTask, TopLevelCoordination, CatalogChange, TriageCase]
# Our own package, imported once and shared by every case instead of re-imported into each case's sandbox.
OWN_MODULES = "services"


def workflow_runner(*, strict_sandbox: bool) -> WorkflowRunner:
    """Temporal's sandbox, by default with our own modules passed through.

    The sandbox re-imports the file that defines a workflow for every case it loads: about a fifth of the worker's
    CPU per case (most cases take a single workflow task before waiting days) and half the objects each cached case
    keeps, which every full garbage collection walks. Everything those files import from `services` is passed
    through already (Temporal's advice for deterministic modules), so what the re-import still checks is the
    workflow files' own lines; the workflow tests run them under the strict sandbox (the SDK's default runner)
    in CI, and `strict_sandbox` brings it back here.
    """
    if strict_sandbox:
        return SandboxedWorkflowRunner()
    return SandboxedWorkflowRunner(restrictions=SandboxRestrictions.default.with_passthrough_modules(OWN_MODULES))


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
            notifications.publish_case_changes,
            *deadlines.all(),
            catalog_changes.apply_catalog_change,
            catalog_changes.record_catalog_change,
            triage.record_triage_decision,
            triage.publish_routed_case,
        ],
        max_concurrent_workflow_tasks=settings.max_concurrent_workflow_tasks,
        max_concurrent_activities=settings.max_concurrent_activities,
        max_cached_workflows=settings.max_cached_workflows,
        workflow_runner=workflow_runner(strict_sandbox=settings.strict_sandbox),
    )
