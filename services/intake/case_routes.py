"""`/v1/cases`: tickets in, case state out."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from services.contracts.case_view import CaseView
from services.contracts.problem_codes import ProblemCode
from services.contracts.tickets import Ticket, TicketReceipt, client_prefix
from services.intake.auth import Caller
from services.intake.authorization import calling_unit_of, require_reader, require_submitter
from services.intake.dependencies import Services
from services.intake.error_handlers import ERROR_RESPONSES
from services.intake.errors import UnprocessableInput
from services.intake.outbound_url_checks import require_outbound_url

router = APIRouter(prefix="/v1/cases", tags=["cases"], responses=ERROR_RESPONSES)


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    responses={200: {"model": TicketReceipt, "description": "A resubmitted ticket: the same case id."}},
)
async def submit_ticket(ticket: Ticket, response: Response, services: Services, caller: Caller) -> TicketReceipt:
    """Receive a ticket: 202 with its case id once JetStream holds it; 200 with the same id for a duplicate.

    A duplicate is known from the message bus's index for 30 days (configurable), from the case records after
    that; a ticket reported longer ago than that gets 503 while the case records do not answer (it may be one).

    A township or key-work call from a unit is the calling unit's: `(channel, calling unit, external_id)` is its
    identity, and a platform's ticket is `(channel, external_id)`.
    """
    require_submitter(caller, ticket.channel)
    prefix = client_prefix(ticket.channel, caller.client_id)
    if prefix is not None and not ticket.external_id.startswith(prefix):
        # Clients sharing a channel number their tickets under their own prefix (docs/open311.md).
        raise UnprocessableInput(
            f"external_id: on channel {ticket.channel.value!r} it starts with your client id: {prefix}<your id>",
            code=ProblemCode.REQUEST_INVALID,
        )
    if ticket.township is not None and services.catalog.unit(ticket.township) is None:
        raise UnprocessableInput(f"township: unknown unit code {ticket.township!r}", code=ProblemCode.UNKNOWN_UNIT)
    if ticket.callback_url is not None:
        require_outbound_url(ticket.callback_url, services.settings, "callback_url")
    for position, url in enumerate(ticket.attachment_urls or []):
        require_outbound_url(url, services.settings, f"attachment_urls[{position}]")
    # A unit's call is keyed by the unit too: two townships numbering their calls alike make two cases.
    calling_unit = calling_unit_of(caller, ticket.channel)
    receipt, created = await services.tickets.submit(ticket, calling_unit=calling_unit)
    if not created:
        response.status_code = status.HTTP_200_OK
    return receipt


@router.get("/{case_id}")
async def get_case(case_id: str, services: Services, caller: Caller) -> CaseView:
    """The case's state: all deadlines, escalation level, transfers, joint tasks, reworks, rating, timeline."""
    view = await services.cases.view(case_id)
    require_reader(caller, view)
    return view
