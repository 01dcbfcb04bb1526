"""How a report is asked for: the `AssessmentReport` workflow's type, input and result (started by the assessment
service's schedules and by intake's `POST /v1/reports`)."""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, Field

from services.contracts.assessment_reports import ReportKind

REPORT_WORKFLOW_TYPE = "AssessmentReport"


class ReportRequest(BaseModel):
    kind: ReportKind
    at: AwareDatetime | None = Field(
        default=None, description="The report of the period of this kind that `at` falls in (default: the schedule's)."
    )
    rerun: bool = Field(default=False, description="Store a new version even if this period's report exists.")
    requested_by: str = "schedule"


class ReportOutcome(BaseModel):
    report_id: str
    created: bool = Field(description="False: the period's report was stored already; it is the one returned.")
    delivered_to: int = 0
