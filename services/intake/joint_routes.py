"""`/v1/cases/{id}/joint-handling` and `/joint-tasks/{unit}/…`: joint handling across units (联动)."""

from __future__ import annotations

from fastapi import APIRouter

from services.contracts.case_actions import JointHandlingRequest, UnitAction
from services.contracts.case_view import CaseView, JointTaskView
from services.contracts.case_workflow import CaseUpdate, JointTaskUpdate
from services.intake.auth import Caller
from services.intake.authorization import act_on_case, require_acting_as
from services.intake.catalog_checks import require_actor, require_role_fits
from services.intake.dependencies import Services
from services.intake.error_handlers import ERROR_RESPONSES

router = APIRouter(prefix="/v1/cases/{case_id}", tags=["joint handling"], responses=ERROR_RESPONSES)


@router.post("/joint-handling")
async def request_joint_handling(
    case_id: str, request: JointHandlingRequest, services: Services, caller: Caller
) -> CaseView:
    """The handling unit (or the coordination centre) names units in roles; each gets a joint task and deadline."""
    require_actor(services.catalog, request.unit)
    for index, participant in enumerate(request.participants):
        require_role_fits(services.catalog, participant.unit, participant.role, index)
    return await act_on_case(caller, services, case_id, CaseUpdate.REQUEST_JOINT_HANDLING, request)


@router.post("/joint-handling/close")
async def close_joint_handling(case_id: str, action: UnitAction, services: Services, caller: Caller) -> CaseView:
    """The lead unit closes the joint phase; tasks still open are closed with it."""
    require_actor(services.catalog, action.unit)
    return await act_on_case(caller, services, case_id, CaseUpdate.CLOSE_JOINT_PHASE, action)


@router.post("/joint-tasks/{unit}/accept")
async def accept_joint_task(
    case_id: str, unit: str, action: UnitAction, services: Services, caller: Caller
) -> JointTaskView:
    """The participant takes on its joint task."""
    require_actor(services.catalog, action.unit)
    require_acting_as(caller, action.unit)
    require_acting_as(caller, unit)  # a unit acts on its own joint task only
    await services.attachments.require_on_case(case_id, action.attachment_ids)
    return await services.cases.act_on_joint_task(case_id, unit, JointTaskUpdate.ACCEPT, action)


@router.post("/joint-tasks/{unit}/report")
async def report_joint_task(
    case_id: str, unit: str, action: UnitAction, services: Services, caller: Caller
) -> JointTaskView:
    """The participant reports progress on its joint task."""
    require_actor(services.catalog, action.unit)
    require_acting_as(caller, action.unit)
    require_acting_as(caller, unit)  # a unit acts on its own joint task only
    await services.attachments.require_on_case(case_id, action.attachment_ids)
    return await services.cases.act_on_joint_task(case_id, unit, JointTaskUpdate.REPORT, action)


@router.post("/joint-tasks/{unit}/complete")
async def complete_joint_task(
    case_id: str, unit: str, action: UnitAction, services: Services, caller: Caller
) -> JointTaskView:
    """The participant reports its share done; the joint phase closes when every task is."""
    require_actor(services.catalog, action.unit)
    require_acting_as(caller, action.unit)
    require_acting_as(caller, unit)  # a unit acts on its own joint task only
    await services.attachments.require_on_case(case_id, action.attachment_ids)
    return await services.cases.act_on_joint_task(case_id, unit, JointTaskUpdate.COMPLETE, action)
