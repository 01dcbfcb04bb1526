"""`/v1/catalog/changes`: units apply to add, remove or change a catalog item; the coordination centre decides.

An application is checked against the catalog in force (422 naming the field) and waits for the decision
(`202`); an approved change becomes the next catalog version, which routing follows without a restart.
"""

from __future__ import annotations

from fastapi import APIRouter

from services.contracts.catalog_change_rules import ChangeDoesNotFit, apply_change
from services.contracts.catalog_changes import (
    CatalogChangeAccepted,
    CatalogChangeDecision,
    CatalogChangeRequest,
    CatalogChangeView,
    ChangeStatus,
)
from services.contracts.problem_codes import ProblemCode
from services.intake.auth import Caller
from services.intake.authorization import require_acting_as, require_coordination
from services.intake.catalog_checks import require_unit
from services.intake.dependencies import Services
from services.intake.error_handlers import ERROR_RESPONSES
from services.intake.errors import UnprocessableInput

router = APIRouter(prefix="/v1/catalog/changes", tags=["catalog changes"], responses=ERROR_RESPONSES)


@router.post("", status_code=202)
async def apply_for_change(request: CatalogChangeRequest, services: Services, caller: Caller) -> CatalogChangeAccepted:
    """A unit applies in writing to add, remove or change an item; it takes effect once the centre approves.

    Refused with 422 when it does not fit the catalog in force, including a unit handing its own listed
    duty down to the townships.
    """
    require_acting_as(caller, request.unit)
    current = services.catalogs.current_version()
    try:
        apply_change(current.catalog, request)
    except ChangeDoesNotFit as exc:
        raise UnprocessableInput(str(exc), code=ProblemCode.CATALOG_CHANGE_DOES_NOT_FIT) from exc
    return await services.catalog_changes.submit(request, current)


@router.get("")
async def list_changes(
    services: Services, caller: Caller, status: ChangeStatus | None = None
) -> list[CatalogChangeView]:
    """Every change applied for, newest first (`?status=pending` and so on to filter)."""
    return await services.catalog_changes.all(status)


@router.get("/{change_id}")
async def show_change(change_id: str, services: Services, caller: Caller) -> CatalogChangeView:
    """One change: what was asked, by whom, the decision and, once approved, the catalog version it became."""
    return await services.catalog_changes.view(change_id)


@router.post("/{change_id}/decision")
async def decide_change(
    change_id: str, decision: CatalogChangeDecision, services: Services, caller: Caller
) -> CatalogChangeView:
    """The coordination centre approves or refuses a pending change; an approval answers once it is applied."""
    require_unit(services.catalog, decision.unit, "unit")
    require_coordination(caller, action="decide on catalog changes")
    require_acting_as(caller, decision.unit)
    return await services.catalog_changes.decide(change_id, decision)
