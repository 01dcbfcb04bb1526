"""The `AssessmentReport` workflow: plan the report (which period, which version), make and store it, deliver it.

Started by a Temporal Schedule (weekly, half-monthly, monthly, quarterly: report_schedules.py) or by the
coordination centre (`POST /v1/reports`). A report already stored for its kind and period is not made again (the
schedule firing twice, a retry, a second request): the run returns it; `rerun` stores the next version. Only the
run that stored a version delivers it, so a report reaches its readers once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributeKey

with workflow.unsafe.imports_passed_through():
    from services.assessment.reports.report_activities import (
        PlanRequest,
        ProducedReport,
        ReportActivities,
    )
    from services.contracts.report_workflow import REPORT_WORKFLOW_TYPE, ReportOutcome, ReportRequest

SCHEDULED_START = SearchAttributeKey.for_datetime("TemporalScheduledStartTime")
RETRY = RetryPolicy(initial_interval=timedelta(seconds=2), maximum_interval=timedelta(minutes=2))


@workflow.defn(name=REPORT_WORKFLOW_TYPE)
class AssessmentReport:
    @workflow.run
    async def run(self, request: ReportRequest) -> ReportOutcome:
        info = workflow.info()
        # A scheduled run counts from the time it was due, not from when a worker got to it (a catch-up after an
        # outage makes the report it would have made).
        fired_at: datetime = info.typed_search_attributes.get(SCHEDULED_START) or info.start_time
        plan = await workflow.execute_activity_method(
            ReportActivities.plan_report,
            PlanRequest(
                kind=request.kind,
                at=request.at,
                fired_at=fired_at,
                now=workflow.now(),
                rerun=request.rerun,
                made_by=f"{info.workflow_id}/{info.run_id}",
            ),
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=RETRY,
        )
        if plan.existing:
            return ReportOutcome(report_id=plan.report_id, created=False)
        produced: ProducedReport = await workflow.execute_activity_method(
            ReportActivities.produce_report,
            plan,
            start_to_close_timeout=timedelta(minutes=10),
            retry_policy=RETRY,
        )
        if not produced.created:
            return ReportOutcome(report_id=produced.report_id, created=False)
        delivered = await workflow.execute_activity_method(
            ReportActivities.deliver_report,
            produced.report_id,
            start_to_close_timeout=timedelta(minutes=2),
            retry_policy=RETRY,
        )
        return ReportOutcome(report_id=produced.report_id, created=True, delivered_to=delivered)
