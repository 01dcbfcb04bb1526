"""`GET /v1/cases/{id}/ticket`: the whole ticket (description, address, the caller's contact) for those on the
case, every reveal of a caller's contact written to the access log first."""

from __future__ import annotations

from fastapi import APIRouter

from services.contracts.access_log import AccessPurpose
from services.contracts.case_ticket import TicketView
from services.contracts.problem_codes import ProblemCode
from services.intake.auth import Caller
from services.intake.authorization import masks_confidential_callers, require_ticket_reader
from services.intake.case_ticket import recorded_ticket, reveals_contact, ticket_view
from services.intake.dependencies import Services
from services.intake.error_handlers import ERROR_RESPONSES
from services.intake.errors import Unavailable

router = APIRouter(prefix="/v1/cases", tags=["cases"], responses=ERROR_RESPONSES)

# The records take a ticket within a second or so of its case's first step (docs/case-records.md).
PROJECTION_RETRY_SECONDS = 1


@router.get("/{case_id}/ticket")
async def get_ticket(case_id: str, services: Services, caller: Caller) -> TicketView:
    """The ticket as the caller sent it: for the units on the case, the coordination centre, the ticket's own
    platform and leaders on escalated cases; a confidential caller masked for units and leaders."""
    require_ticket_reader(caller, await services.cases.view(case_id))
    recorded = await recorded_ticket(services.records, services.keyring, case_id)
    if recorded is None:
        raise Unavailable(
            f"case {case_id} exists but its ticket is not in the case records yet; try again in a second",
            code=ProblemCode.TICKET_NOT_RECORDED_YET,
            retry_after=PROJECTION_RETRY_SECONDS,
        )
    view = ticket_view(recorded, mask_confidential=masks_confidential_callers(caller))
    if reveals_contact(view):
        # Written (and committed) before the answer leaves: no reveal without its line.
        await services.access_log.record(
            caller, case_id=case_id, purpose=AccessPurpose.TICKET, masked=view.caller_masked
        )
    return view
