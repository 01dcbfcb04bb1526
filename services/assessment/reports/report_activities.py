"""The report workflow's activities: plan, produce (compute, render, store), deliver."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

import structlog
from nats.js import JetStreamContext
from pydantic import AwareDatetime, BaseModel
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio import activity

from services.assessment.reports.report_compute import CatalogTerms, ReportPlan, ReportSources, compute_report
from services.assessment.reports.report_delivery import publish_report
from services.assessment.reports.report_html import render_report_html
from services.assessment.reports.report_periods import (
    cutoff_for,
    requested_period,
    scheduled_period,
)
from services.assessment.reports.report_store import latest_version, report_artifacts, store_report
from services.assessment.reports.report_xlsx import render_report_xlsx
from services.contracts.assessment import AssessmentDefinitions
from services.contracts.assessment_reports import ReportKind
from services.contracts.catalog import ResponsibilityCatalog
from services.contracts.events import Audience

log = structlog.get_logger("services.assessment.reports")


class PlanRequest(BaseModel):
    kind: ReportKind
    at: AwareDatetime | None  # asked for the period `at` falls in; None: the schedule's period at `fired_at`
    fired_at: AwareDatetime
    now: AwareDatetime
    rerun: bool = False
    made_by: str = ""  # the workflow run asking


class ProducedReport(BaseModel):
    report_id: str
    created: bool


@dataclass(frozen=True)
class ReportSettings:
    no_progress_working_days: int
    trend_periods: int
    recipients: Sequence[tuple[str, Audience]]
    public_url: str  # where readers open a report: `<public_url>/v1/reports/<id>/report.html`


class ReportActivities:
    def __init__(
        self,
        engine: AsyncEngine,
        js: JetStreamContext,
        *,
        definitions: AssessmentDefinitions,
        catalog: Callable[[], Awaitable[ResponsibilityCatalog]],
        settings: ReportSettings,
    ) -> None:
        self._engine = engine
        self._js = js
        self._definitions = definitions
        self._catalog = catalog
        self._settings = settings

    @activity.defn(name="plan_report")
    async def plan_report(self, request: PlanRequest) -> ReportPlan:
        if request.at is not None:
            period = requested_period(request.kind, request.at)
            cutoff = cutoff_for(period, request.now)
        else:
            period = scheduled_period(request.kind, request.fired_at)
            cutoff = cutoff_for(period, request.fired_at)
        async with self._engine.connect() as connection:
            stored = await latest_version(connection, request.kind, period.key)
        if stored and not request.rerun:
            return ReportPlan(kind=request.kind, period=period, cutoff=cutoff, version=stored, existing=True)
        return ReportPlan(kind=request.kind, period=period, cutoff=cutoff, version=stored + 1, made_by=request.made_by)

    @activity.defn(name="produce_report")
    async def produce_report(self, plan: ReportPlan) -> ProducedReport:
        catalog = await self._catalog()
        sources = ReportSources(
            definitions=self._definitions,
            catalog=catalog,
            no_progress_working_days=self._settings.no_progress_working_days,
            trend_periods=self._settings.trend_periods,
        )
        async with self._engine.begin() as connection:
            report = await compute_report(connection, plan, sources, generated_at=activity_time())
            names = CatalogTerms(catalog).names
            html, xlsx = render_report_html(report, names=names), render_report_xlsx(report, names=names)
            created = await store_report(connection, report, html=html, xlsx=xlsx, made_by=plan.made_by)
        log.info("report.produced", report_id=report.report_id, created=created, stalled=report.stalled_total)
        return ProducedReport(report_id=report.report_id, created=created)

    @activity.defn(name="deliver_report")
    async def deliver_report(self, report_id: str) -> int:
        async with self._engine.connect() as connection:
            stored = await report_artifacts(connection, report_id)
        if stored is None:
            raise LookupError(f"report {report_id} is not stored")
        report, html, xlsx = stored
        url = f"{self._settings.public_url.rstrip('/')}/v1/reports/{report_id}/report.html"
        sent = await publish_report(self._js, report, html, xlsx, self._settings.recipients, url)
        return len(sent)

    def all(self) -> list[Callable[..., Awaitable[object]]]:
        return [self.plan_report, self.produce_report, self.deliver_report]


def activity_time() -> datetime:
    """When the report was made (the activity's start: the same on a retry of the attempt's schedule)."""
    return activity.info().started_time
