"""`/v1/rectifications`: special rectifications (专项整治) of classes of cases.

The coordination centre opens one on a class (a lead unit, participants, a deadline, a goal) and closes it with its
result; the lead unit and the participants report progress weekly. Reads come from the `rectifications` table,
which the rectification's workflow writes after every change.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query

from services.contracts.case_actions import COORDINATION_CENTRE
from services.contracts.credentials import ClientKind
from services.contracts.problem_codes import ProblemCode
from services.contracts.rectifications import (
    UUID_PATTERN,
    RectificationClosing,
    RectificationPage,
    RectificationProgress,
    RectificationRequest,
    RectificationStatus,
    RectificationView,
)
from services.intake.auth import Caller, require_kind
from services.intake.authorization import require_acting_as, require_coordination
from services.intake.catalog_checks import require_handling_unit
from services.intake.dependencies import IntakeServices, Services
from services.intake.error_handlers import ERROR_RESPONSES
from services.intake.errors import Conflict, NotFound, UnprocessableInput
from services.intake.rectification_reads import (
    RectificationQuery,
    class_standing,
    find_rectification,
    find_rectifications,
    reader_scope,
    require_reader,
)

router = APIRouter(prefix="/v1/rectifications", tags=["special rectifications"], responses=ERROR_RESPONSES)
RectificationId = Annotated[str, Path(description="The rectification's id (a UUID).")]


@router.post("", status_code=201)
async def open_rectification(request: RectificationRequest, services: Services, caller: Caller) -> RectificationView:
    """The coordination centre opens a special rectification of a class of cases: answered once it is open, with
    the class's open cases linked and the units told. 404 for an unknown class; 409 when the class is already under
    rectification."""
    require_coordination(caller, action="open special rectifications")
    catalog = services.catalog
    require_handling_unit(catalog, request.lead_unit, "lead_unit")
    for index, unit in enumerate(request.participants):
        require_handling_unit(catalog, unit, f"participants.{index}")
    if request.deadline <= datetime.now(UTC):
        raise UnprocessableInput("deadline: must be later than now", code=ProblemCode.DEADLINE_IN_PAST)
    async with services.records.reading() as connection:
        standing = await class_standing(connection, request.class_id)
    if standing is None:
        raise NotFound(f"no class of cases {request.class_id}", code=ProblemCode.CLASS_NOT_FOUND)
    if standing.open_rectification is not None:
        raise Conflict(
            f"class {request.class_id} is already under special rectification {standing.open_rectification}",
            code=ProblemCode.CLASS_UNDER_RECTIFICATION,
        )
    return await services.rectifications.open(request, opened_by=COORDINATION_CENTRE)


@router.get("")
async def list_rectifications(
    query: Annotated[RectificationQuery, Query()], services: Services, caller: Caller
) -> RectificationPage:
    """Special rectifications, newest first (`status`, `class_id`, `unit` to filter; `next_cursor` for the next
    page). The coordination centre and leaders read all; a unit those it leads or takes part in."""
    unit = reader_scope(caller)
    async with services.records.reading() as connection:
        return await find_rectifications(connection, query, unit=unit)


@router.get("/{rectification_id}")
async def show_rectification(
    rectification_id: RectificationId, services: Services, caller: Caller
) -> RectificationView:
    """One rectification: its units, deadline, cases, every progress report and, once closed, its result."""
    reader_scope(caller)
    view = await _recorded(services, rectification_id)
    require_reader(caller, view)
    return view


@router.post("/{rectification_id}/progress")
async def report_progress(
    rectification_id: RectificationId, report: RectificationProgress, services: Services, caller: Caller
) -> RectificationView:
    """The lead unit or a participant reports the week's progress (and, optionally, its measures); the next report
    is due a week later, or the lead unit is reminded."""
    require_kind(caller, ClientKind.UNIT, action="report a rectification's progress")
    require_acting_as(caller, report.unit)
    view = await _recorded(services, rectification_id)
    require_reader(caller, view)
    _require_open(view)
    return await services.rectifications.report_progress(rectification_id, report)


@router.post("/{rectification_id}/close")
async def close_rectification(
    rectification_id: RectificationId, closing: RectificationClosing, services: Services, caller: Caller
) -> RectificationView:
    """The coordination centre closes the rectification with its result (the bulletin reports it)."""
    require_coordination(caller, action="close special rectifications")
    require_acting_as(caller, closing.unit)
    view = await _recorded(services, rectification_id)
    _require_open(view)
    return await services.rectifications.close(rectification_id, closing)


async def _recorded(services: IntakeServices, rectification_id: str) -> RectificationView:
    if not _is_id(rectification_id):
        raise NotFound(f"no special rectification {rectification_id}", code=ProblemCode.RECTIFICATION_NOT_FOUND)
    async with services.records.reading() as connection:
        view = await find_rectification(connection, rectification_id)
    if view is None:
        raise NotFound(f"no special rectification {rectification_id}", code=ProblemCode.RECTIFICATION_NOT_FOUND)
    return view


def _require_open(view: RectificationView) -> None:
    if view.status is not RectificationStatus.OPEN:
        raise Conflict(f"this rectification is {view.status.value}", code=ProblemCode.RECTIFICATION_CLOSED)


def _is_id(text: str) -> bool:
    return re.match(UUID_PATTERN, text) is not None
