"""`POST /v1/cases/{id}/triage`: the coordination centre places a case the router could not (分拨研判)."""

from __future__ import annotations

from fastapi import APIRouter

from services.contracts.case_view import CaseView
from services.contracts.cases import CaseStatus
from services.contracts.problem_codes import ProblemCode
from services.contracts.triage import TriageAssignment, TriageDecision
from services.intake.auth import Caller
from services.intake.authorization import require_acting_as, require_coordination
from services.intake.dependencies import Services
from services.intake.error_handlers import ERROR_RESPONSES
from services.intake.errors import Conflict
from services.intake.triage_checks import check_triage_decision, triage_routing

router = APIRouter(prefix="/v1/cases/{case_id}", tags=["triage"], responses=ERROR_RESPONSES)


@router.post("/triage")
async def triage_case(case_id: str, decision: TriageDecision, services: Services, caller: Caller) -> CaseView:
    """Name the catalog item (and, if need be, the handling unit or township) of a case waiting for triage.

    `200` with the case handed to its unit (it becomes `assigned` once its deadlines are counted); `409` when the
    case is not waiting for triage or the actor is not the coordination centre; `422` for an unknown item or unit.
    """
    require_coordination(caller, action="triage cases")
    require_acting_as(caller, decision.unit)
    catalog = services.catalog
    item = check_triage_decision(catalog, decision)
    case = await services.cases.view(case_id)
    if case.status is not CaseStatus.TRIAGE:
        raise Conflict(f"case is {case.status.value}, not awaiting triage", code=ProblemCode.WRONG_CASE_STATUS)
    routing = triage_routing(catalog, item, decision, case)
    return await services.cases.triage(case_id, TriageAssignment(decision=decision, routing=routing))
