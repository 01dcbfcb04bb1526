"""`/v1/cases/{id}/…`: what units, the coordination centre, leaders and platforms do to a case.

Each action is a Temporal Update: `200` with the new state, `409` with the reason the case refuses it,
`404` for an unknown case, `422` for a body that names an unknown unit or item, or a unit that cannot take this
case (a call's own calling unit).
"""

from __future__ import annotations

from fastapi import APIRouter

from services.contracts.case_actions import (
    ArbitrationDecision,
    EscalationRequest,
    ExtensionDecision,
    ExtensionRequest,
    FeedbackReport,
    ProgressReport,
    RatingSubmission,
    TransferRequest,
    UnitAction,
    UnreasonableDemandJudgement,
)
from services.contracts.case_view import CaseView
from services.contracts.case_workflow import CaseUpdate
from services.intake.auth import Caller
from services.intake.authorization import act_on_case, require_coordination, require_rater
from services.intake.case_checks import require_not_calling_unit
from services.intake.catalog_checks import require_actor, require_handling_unit, require_responsible
from services.intake.dependencies import Services
from services.intake.error_handlers import ERROR_RESPONSES

router = APIRouter(prefix="/v1/cases/{case_id}", tags=["case actions"], responses=ERROR_RESPONSES)


@router.post("/accept")
async def accept_case(case_id: str, action: UnitAction, services: Services, caller: Caller) -> CaseView:
    """The handling unit signs for the case (承接), within the sign-for window."""
    require_actor(services.catalog, action.unit)
    return await act_on_case(caller, services, case_id, CaseUpdate.ACCEPT, action)


@router.post("/transfer")
async def transfer_case(case_id: str, request: TransferRequest, services: Services, caller: Caller) -> CaseView:
    """Hand a case wholly outside the unit's remit to the responsible unit, with a notice to the caller.

    Only before acceptance and within the transfer window. Past the transfer cap the transfer is refused (409)
    and the case goes to the coordination centre for arbitration.
    """
    require_actor(services.catalog, request.unit)
    require_responsible(services.catalog, request.to_unit, request.catalog_item)
    return await act_on_case(
        caller,
        services,
        case_id,
        CaseUpdate.TRANSFER,
        request,
        fits=lambda view: require_not_calling_unit(view, request.to_unit, "to_unit"),
    )


@router.post("/arbitration")
async def arbitrate_case(case_id: str, decision: ArbitrationDecision, services: Services, caller: Caller) -> CaseView:
    """The coordination centre names the handling unit of a case that went to arbitration."""
    require_coordination(caller, action="arbitrate")
    require_actor(services.catalog, decision.unit)
    require_handling_unit(services.catalog, decision.handling_unit, "handling_unit")
    return await act_on_case(
        caller,
        services,
        case_id,
        CaseUpdate.ARBITRATE,
        decision,
        fits=lambda view: require_not_calling_unit(view, decision.handling_unit, "handling_unit"),
    )


@router.post("/feedback")
async def give_feedback(case_id: str, report: FeedbackReport, services: Services, caller: Caller) -> CaseView:
    """The first reply to the caller (within the feedback deadline)."""
    require_actor(services.catalog, report.unit)
    return await act_on_case(caller, services, case_id, CaseUpdate.FEEDBACK, report)


@router.post("/progress")
async def report_progress(case_id: str, report: ProgressReport, services: Services, caller: Caller) -> CaseView:
    """An interim report: what was done and what is next; after a breach, with the explanation."""
    require_actor(services.catalog, report.unit)
    return await act_on_case(caller, services, case_id, CaseUpdate.PROGRESS, report)


@router.post("/escalation")
async def escalate_case(case_id: str, request: EscalationRequest, services: Services, caller: Caller) -> CaseView:
    """Escalate with a proposed plan: to the city leader in charge, and from there to top-level coordination."""
    require_actor(services.catalog, request.unit)
    return await act_on_case(caller, services, case_id, CaseUpdate.ESCALATE, request)


@router.post("/extension")
async def request_extension(case_id: str, request: ExtensionRequest, services: Services, caller: Caller) -> CaseView:
    """Ask, before the resolution deadline, for more working days; the coordination centre decides."""
    require_actor(services.catalog, request.unit)
    return await act_on_case(caller, services, case_id, CaseUpdate.REQUEST_EXTENSION, request)


@router.post("/extension/decision")
async def decide_extension(case_id: str, decision: ExtensionDecision, services: Services, caller: Caller) -> CaseView:
    """The coordination centre approves (the deadline moves) or refuses the pending extension."""
    require_coordination(caller, action="decide on extensions")
    require_actor(services.catalog, decision.unit)
    return await act_on_case(caller, services, case_id, CaseUpdate.DECIDE_EXTENSION, decision)


@router.post("/resolve")
async def resolve_case(case_id: str, action: UnitAction, services: Services, caller: Caller) -> CaseView:
    """The handling unit reports the result (in `note`); refused before acceptance or while joint handling is open."""
    require_actor(services.catalog, action.unit)
    return await act_on_case(caller, services, case_id, CaseUpdate.RESOLVE, action)


@router.post("/rating")
async def rate_case(case_id: str, rating: RatingSubmission, services: Services, caller: Caller) -> CaseView:
    """The caller's rating, sent by the platform (for a unit's call, by the calling unit): unsatisfied outcome →
    rework; otherwise the case closes."""
    require_rater(caller, await services.cases.view(case_id))
    return await services.cases.act(case_id, CaseUpdate.RATE, rating)


@router.post("/unreasonable-demand")
async def judge_unreasonable_demand(
    case_id: str, judgement: UnreasonableDemandJudgement, services: Services, caller: Caller
) -> CaseView:
    """The coordination centre judges the demand behind an unsatisfied rating unreasonable (不合理诉求), with a reason,
    within the policy's window after the rating: the rework ends and the case closes as `unreasonable_demand`."""
    require_coordination(caller, action="judge a demand unreasonable")
    require_actor(services.catalog, judgement.unit)
    return await act_on_case(caller, services, case_id, CaseUpdate.JUDGE_UNREASONABLE_DEMAND, judgement)
