"""Reports for readers: the stored bulletins and special reports (read from the records' database), and asking
the assessment service for one (`AssessmentReport` workflow)."""

from __future__ import annotations

import asyncio
import uuid
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine
from temporalio.client import Client
from temporalio.service import RPCError

from services.contracts.assessment_reports import ReportKind
from services.contracts.problem_codes import ProblemCode
from services.contracts.report_workflow import REPORT_WORKFLOW_TYPE, ReportOutcome, ReportRequest
from services.contracts.subjects import ASSESSMENT_TASK_QUEUE
from services.engines.records_db.tables import assessment_reports
from services.intake.errors import NotFound, Unavailable

_report = assessment_reports.c


class ReportSummary(BaseModel):
    report_id: str
    kind: ReportKind
    version: int
    period_key: str
    period_start: datetime
    period_end: datetime
    cutoff: datetime
    generated_at: datetime
    definitions_version: str


class ReportList(BaseModel):
    items: list[ReportSummary]


class ReportStarted(BaseModel):
    """A report asked for: `outcome` once it is made (202 with the workflow id while it is still being made)."""

    workflow_id: str
    outcome: ReportOutcome | None = None


class ReportService:
    def __init__(self, *, engine: AsyncEngine, client: Client, wait_seconds: float) -> None:
        self._engine = engine
        self._client = client
        self._wait = wait_seconds

    async def list(self, *, kind: ReportKind | None, limit: int) -> ReportList:
        query = select(
            _report.report_id,
            _report.kind,
            _report.version,
            _report.period_key,
            _report.period_start,
            _report.period_end,
            _report.cutoff,
            _report.generated_at,
            _report.definitions_version,
        )
        if kind is not None:
            query = query.where(_report.kind == kind.value)
        query = query.order_by(_report.period_start.desc(), _report.version.desc()).limit(limit)
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query)).all()
        return ReportList(items=[ReportSummary.model_validate(row._asdict()) for row in rows])

    async def part(self, report_id: str, column: str) -> Any:
        """One stored part of a report: its `body` (JSON), `html` or `xlsx`."""
        async with self._engine.connect() as connection:
            value = await connection.scalar(select(_report[column]).where(_report.report_id == report_id))
        if value is None:
            raise NotFound(f"no report {report_id}", code=ProblemCode.REPORT_NOT_FOUND)
        return value

    async def request(self, request: ReportRequest) -> ReportStarted:
        """Start the report's workflow and wait a while for it (a report takes seconds)."""
        workflow_id = f"report-request-{uuid.uuid4()}"
        try:
            handle = await self._client.start_workflow(
                REPORT_WORKFLOW_TYPE,
                request,
                id=workflow_id,
                task_queue=ASSESSMENT_TASK_QUEUE,
                result_type=ReportOutcome,
                rpc_timeout=timedelta(seconds=10),
            )
        except RPCError as exc:
            raise Unavailable(
                f"the workflow engine did not take the request: {exc.message}",
                code=ProblemCode.WORKFLOW_ENGINE_UNAVAILABLE,
            ) from exc
        try:
            outcome = await asyncio.wait_for(handle.result(), timeout=self._wait)
        except TimeoutError:
            return ReportStarted(workflow_id=workflow_id)
        return ReportStarted(workflow_id=workflow_id, outcome=outcome)
