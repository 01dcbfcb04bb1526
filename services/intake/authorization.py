"""What each kind of client may do, and on which cases (403 "not yours"; 404 where existence must not leak).

- platform: submit tickets on its own channel; read and rate its own tickets only (another platform's ticket, or
  a unit's call on the platform's channel, is 404, not 403: a platform must not learn that a ticket id exists
  elsewhere);
- unit: read and act on cases where it is the first-contact or handling unit or a joint participant, in its own
  name only (the acting unit is the credential's, whatever the body says); submit township and key-work calls,
  then read and rate its own calls (the calling unit rates, as the caller does for a hotline ticket);
- coordination centre: every case; triage, arbitration, extension decisions, unreasonable-demand judgements,
  catalog approvals;
- leaders: cases escalated to the city leader or above; escalation decisions;
- admin: units' channels, credentials, platforms' keys, the access log; operator: the codec server.

The whole ticket (the caller's contact) is for fewer: the units on the case, the coordination centre, the
ticket's own platform and leaders on escalated cases; never admins or operators, who run the system.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel

from services.contracts.case_actions import COORDINATION_CENTRE
from services.contracts.case_policy import EscalationLevel
from services.contracts.case_view import CaseView
from services.contracts.case_workflow import CaseUpdate
from services.contracts.credentials import ClientKind, Principal
from services.contracts.problem_codes import ProblemCode
from services.contracts.tickets import UNIT_CALL_CHANNELS, Channel, client_prefix
from services.intake.auth import note_refusal, refuse
from services.intake.dependencies import IntakeServices
from services.intake.errors import NotFound

CASE_ACTORS = (ClientKind.UNIT, ClientKind.COORDINATION, ClientKind.LEADER)
# Channels a unit may submit on (township calls, key-work calls) and the coordination centre's own.
UNIT_CHANNELS = UNIT_CALL_CHANNELS
COORDINATION_CHANNELS = {Channel.ASSIGNED, Channel.KEY_WORK_CALL}


def acting_as(caller: Principal) -> str | None:
    """The actor code the caller acts as in case actions."""
    if caller.kind in (ClientKind.UNIT, ClientKind.LEADER):
        return caller.subject
    if caller.kind is ClientKind.COORDINATION:
        return COORDINATION_CENTRE
    return None


def require_acting_as(caller: Principal, claimed: str) -> None:
    """The body may only name the caller itself as the acting unit."""
    own = acting_as(caller)
    if own is None:
        raise refuse(403, "kind", f"this {caller.kind.value} client does not act on cases", client=caller.client_id)
    if claimed != own:
        raise refuse(403, "impersonation", f"you act as {own!r}, not {claimed!r}", client=caller.client_id)


def require_submitter(caller: Principal, channel: Channel) -> None:
    allowed = (
        (caller.kind is ClientKind.PLATFORM and caller.subject == channel.value)
        or (caller.kind is ClientKind.UNIT and channel in UNIT_CHANNELS)
        or (caller.kind is ClientKind.COORDINATION and channel in COORDINATION_CHANNELS)
    )
    if not allowed:
        raise refuse(403, "channel", f"this client may not submit tickets on channel {channel.value!r}")


def calling_unit_of(caller: Principal, channel: Channel) -> str | None:
    """The unit whose call a submission is: the credential's, on a unit-call channel; None for a platform's ticket."""
    if channel not in UNIT_CALL_CHANNELS or caller.kind not in (ClientKind.UNIT, ClientKind.COORDINATION):
        return None
    return acting_as(caller)


def involved_units(view: CaseView) -> set[str]:
    units = {view.first_contact_unit, view.handling_unit}
    units |= {transfer.from_unit for transfer in view.transfers}
    units |= {task.unit for phase in view.joint_phases for task in phase.tasks}
    return {unit for unit in units if unit}


def require_reader(caller: Principal, view: CaseView) -> None:
    """Read access to one case (platforms get 404 for others' tickets, everyone else 403)."""
    kind = caller.kind
    if kind is ClientKind.PLATFORM:
        if not _platforms_own(caller, view):
            raise _hidden(caller, view)
        return
    if kind in (ClientKind.COORDINATION, ClientKind.OPERATOR):
        return
    if kind is ClientKind.UNIT and caller.subject in involved_units(view) | {view.calling_unit}:
        return
    if kind is ClientKind.LEADER and view.escalation_level >= EscalationLevel.CITY_LEADER:
        return
    raise refuse(403, "not_involved", "this case is not yours to read", client=caller.client_id, case_id=view.case_id)


def ticket_units(view: CaseView) -> set[str]:
    """The units on the case, who read its whole ticket: first-contact, handling, joint participants (any phase)
    and the calling unit of a unit's call. A unit that transferred the case on, being none of these, does not."""
    units = {view.first_contact_unit, view.handling_unit, view.calling_unit}
    units |= {task.unit for phase in view.joint_phases for task in phase.tasks}
    return {unit for unit in units if unit}


def require_ticket_reader(caller: Principal, view: CaseView) -> None:
    """Read access to the case's whole ticket, the caller's contact included (a platform gets 404 for others'
    tickets, everyone else 403)."""
    kind = caller.kind
    if kind is ClientKind.PLATFORM:
        if not _platforms_own(caller, view):
            raise _hidden(caller, view)
        return
    if kind is ClientKind.COORDINATION:
        return
    if kind is ClientKind.UNIT and caller.subject in ticket_units(view):
        return
    if kind is ClientKind.LEADER and view.escalation_level >= EscalationLevel.CITY_LEADER:
        return
    if kind in (ClientKind.ADMIN, ClientKind.OPERATOR):
        raise refuse(
            403,
            "kind",
            f"{kind.value} clients run the system; they do not read citizens' tickets",
            client=caller.client_id,
            case_id=view.case_id,
        )
    raise refuse(403, "not_involved", "this ticket is not yours to read", client=caller.client_id, case_id=view.case_id)


def masks_confidential_callers(caller: Principal) -> bool:
    """Whether a confidential caller (保密) is shown to this reader masked: to units and leaders it is; the
    coordination centre and the ticket's own platform see the caller whole."""
    return caller.kind in (ClientKind.UNIT, ClientKind.LEADER)


def require_case_actor(caller: Principal, view: CaseView, claimed: str) -> None:
    """Acting on a case: in one's own name, and (for a unit) only on a case it is part of."""
    require_acting_as(caller, claimed)
    if caller.kind is ClientKind.UNIT and caller.subject not in involved_units(view) | {view.handling_unit}:
        raise refuse(
            403, "not_involved", "this case is not yours to act on", client=caller.client_id, case_id=view.case_id
        )
    if caller.kind is ClientKind.LEADER and view.escalation_level < EscalationLevel.CITY_LEADER:
        raise refuse(403, "not_escalated", "this case has not been escalated to you", case_id=view.case_id)


def require_rater(caller: Principal, view: CaseView) -> None:
    """The ticket's platform (for its caller), a unit call's calling unit, or the centre's return visit (回访)."""
    if caller.kind is ClientKind.COORDINATION:
        return
    if caller.kind is ClientKind.PLATFORM and _platforms_own(caller, view):
        return
    if caller.kind is ClientKind.PLATFORM:
        raise _hidden(caller, view)
    if caller.kind is ClientKind.UNIT and view.calling_unit is not None and caller.subject == view.calling_unit:
        return
    raise refuse(
        403, "kind", "ratings come from the platform of the ticket, the calling unit or the coordination centre"
    )


def require_own_channels(caller: Principal, code: str) -> None:
    """A recipient's channels: the admin, or the recipient itself."""
    if caller.kind is ClientKind.ADMIN or acting_as(caller) == code:
        return
    raise refuse(403, "not_own", f"only the admin or {code!r} itself may see or change its channels")


def _platforms_own(caller: Principal, view: CaseView) -> bool:
    """A platform's own ticket: on its channel, and not a unit's call (which is the calling unit's); on a channel
    clients share (open311), under the client's own prefix."""
    prefix = client_prefix(view.channel, caller.client_id)
    return (
        view.channel == caller.subject
        and view.calling_unit is None
        and (prefix is None or view.external_id.startswith(prefix))
    )


def _hidden(caller: Principal, view: CaseView) -> NotFound:
    note_refusal(404, "other_platform", client=caller.client_id, case_id=view.case_id)
    return NotFound(f"no case {view.case_id}", code=ProblemCode.CASE_NOT_FOUND)


async def act_on_case(
    caller: Principal,
    services: IntakeServices,
    case_id: str,
    update: CaseUpdate,
    body: BaseModel,
    *,
    fits: Callable[[CaseView], None] | None = None,
) -> CaseView:
    """Check the caller may act on this case in the body's name (and, with `fits`, that the body fits the case: 422),
    then run the action."""
    view = await services.cases.view(case_id)
    if caller.kind is ClientKind.PLATFORM:
        require_reader(caller, view)  # another platform's case stays hidden
    require_case_actor(caller, view, str(getattr(body, "unit", "")))
    if fits is not None:
        fits(view)
    return await services.cases.act(case_id, update, body)


def require_coordination(caller: Principal, *, action: str) -> None:
    if caller.kind is not ClientKind.COORDINATION:
        raise refuse(403, "kind", f"only the coordination centre may {action}", client=caller.client_id)
