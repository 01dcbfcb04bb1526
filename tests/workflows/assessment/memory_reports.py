"""In-memory stand-ins for the report workflow's activities (registered by their names): what is stored, what was
delivered, what the plans were asked."""

from __future__ import annotations

from dataclasses import dataclass, field

from temporalio import activity

from services.assessment.reports.report_activities import PlanRequest, ProducedReport
from services.assessment.reports.report_compute import ReportPlan
from services.assessment.reports.report_periods import cutoff_for, requested_period, scheduled_period


@dataclass
class MemoryReports:
    """The report activities over a dict: what is stored, what was delivered, what the plans were asked."""

    stored: dict[tuple[str, str], int] = field(default_factory=dict)  # (kind, period key) -> latest version
    delivered: list[str] = field(default_factory=list)
    asked: list[PlanRequest] = field(default_factory=list)
    lose_the_race: bool = False  # another run stores the planned version first

    @activity.defn(name="plan_report")
    async def plan_report(self, request: PlanRequest) -> ReportPlan:
        self.asked.append(request)
        if request.at is not None:
            period = requested_period(request.kind, request.at)
            cutoff = cutoff_for(period, request.now)
        else:
            period = scheduled_period(request.kind, request.fired_at)
            cutoff = cutoff_for(period, request.fired_at)
        stored = self.stored.get((request.kind.value, period.key), 0)
        existing = bool(stored) and not request.rerun
        version = stored if existing else stored + 1
        return ReportPlan(kind=request.kind, period=period, cutoff=cutoff, version=version, existing=existing)

    @activity.defn(name="produce_report")
    async def produce_report(self, plan: ReportPlan) -> ProducedReport:
        key = (plan.kind.value, plan.period.key)
        if self.lose_the_race:
            self.stored[key] = plan.version
            return ProducedReport(report_id=plan.report_id, created=False)
        self.stored[key] = plan.version
        return ProducedReport(report_id=plan.report_id, created=True)

    @activity.defn(name="deliver_report")
    async def deliver_report(self, report_id: str) -> int:
        self.delivered.append(report_id)
        return 2

    def all(self) -> list[object]:
        return [self.plan_report, self.produce_report, self.deliver_report]
