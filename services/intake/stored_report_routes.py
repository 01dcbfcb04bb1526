"""`/v1/reports` and `/v1/reports/{report_id}`: the stored bulletins and special reports (JSON, an HTML page, an
XLSX workbook), and asking for one.

Registered after the routes of `/v1/reports/rates`, `/scores`, `/hotspots` and the like, whose paths a report id
never takes (ids begin with the report's kind: `weekly-week-2026-11-30-v1`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from services.contracts.assessment_reports import Report, ReportKind
from services.contracts.credentials import ClientKind
from services.contracts.report_workflow import ReportRequest
from services.intake.auth import Caller, require_kind
from services.intake.dependencies import Services
from services.intake.error_handlers import ERROR_RESPONSES
from services.intake.report_service import ReportList, ReportStarted

router = APIRouter(prefix="/v1/reports", tags=["reports"], responses=ERROR_RESPONSES)

READERS = (ClientKind.COORDINATION, ClientKind.LEADER, ClientKind.UNIT)
REPORT_ID = Path(pattern=r"^[a-z-]+-[a-z-]+-\d{4}-\d{2}-\d{2}(-\d{4}-\d{2}-\d{2})?-v\d+$", max_length=128)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ReportAsked(BaseModel):
    """`POST /v1/reports`: `kind`, and `at` for a period other than the current one; `rerun` for a new version."""

    model_config = ConfigDict(extra="forbid")

    kind: ReportKind
    at: AwareDatetime | None = Field(
        default=None, description="The report of the period of this kind that `at` falls in (default: now)."
    )
    rerun: bool = Field(default=False, description="Store a new version even if this period's report exists.")


@router.get("")
async def list_reports(
    services: Services,
    caller: Caller,
    kind: ReportKind | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> ReportList:
    """The stored reports, newest period first (every version)."""
    require_kind(caller, *READERS, action="read reports")
    return await services.reports.list(kind=kind, limit=limit)


@router.post("", status_code=201, responses={202: {"model": ReportStarted}})
async def ask_for_report(services: Services, caller: Caller, asked: ReportAsked, response: Response) -> ReportStarted:
    """Make the report of a kind for a period (the coordination centre): 201 with the report (the stored one if
    the period has one and `rerun` is false), or 202 while it is still being made."""
    require_kind(caller, ClientKind.COORDINATION, action="ask for a report")
    request = ReportRequest(kind=asked.kind, at=asked.at, rerun=asked.rerun, requested_by=caller.client_id)
    started = await services.reports.request(request)
    if started.outcome is None:
        response.status_code = 202
    return started


@router.get("/{report_id}", response_model=Report)
async def read_report(services: Services, caller: Caller, report_id: Annotated[str, REPORT_ID]) -> JSONResponse:
    """The report as JSON (its stored body, exactly as made)."""
    require_kind(caller, *READERS, action="read reports")
    return JSONResponse(await services.reports.part(report_id, "body"))


@router.get("/{report_id}/report.html", response_class=Response, responses={200: {"content": {"text/html": {}}}})
async def read_report_page(services: Services, caller: Caller, report_id: Annotated[str, REPORT_ID]) -> HTMLResponse:
    require_kind(caller, *READERS, action="read reports")
    return HTMLResponse(await services.reports.part(report_id, "html"))


@router.get("/{report_id}/report.xlsx", response_class=Response, responses={200: {"content": {XLSX: {}}}})
async def read_report_workbook(services: Services, caller: Caller, report_id: Annotated[str, REPORT_ID]) -> Response:
    require_kind(caller, *READERS, action="read reports")
    workbook = await services.reports.part(report_id, "xlsx")
    disposition = f'attachment; filename="{report_id}.xlsx"'
    return Response(bytes(workbook), media_type=XLSX, headers={"Content-Disposition": disposition})
