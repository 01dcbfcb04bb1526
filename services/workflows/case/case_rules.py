"""Who may do what, and when, on a first-contact case: pure checks that raise `CaseActionRefused`.

Update validators call these, so a refused action never enters the workflow's history.
"""

from __future__ import annotations

from datetime import datetime

from services.contracts.case_actions import (
    COORDINATION_CENTRE,
    ArbitrationDecision,
    EscalationRequest,
    EscalationTarget,
    ExtensionRequest,
    JointHandlingRequest,
    TransferRequest,
)
from services.contracts.case_policy import CasePolicy, EscalationLevel
from services.contracts.case_timeline import TimelineAction
from services.contracts.case_view import CaseView, DeadlineKind, ExtensionStatus, RatingLevel
from services.contracts.cases import CaseStatus
from services.contracts.problem_codes import ProblemCode
from services.workflows.case.case_errors import CaseActionRefused

WORKING = (CaseStatus.ACCEPTED, CaseStatus.REWORK)


def require_handling_unit(view: CaseView, unit: str, verb: str) -> None:
    if unit != view.handling_unit:
        raise CaseActionRefused(
            f"unit {unit!r} may not {verb} this case: the handling unit is {view.handling_unit!r}",
            ProblemCode.NOT_HANDLING_UNIT,
        )


def require_status(view: CaseView, allowed: tuple[CaseStatus, ...], verb: str) -> None:
    if view.status not in allowed:
        names = " or ".join(s.value for s in allowed)
        raise CaseActionRefused(
            f"case is {view.status.value}; only a case that is {names} can be asked to {verb}",
            ProblemCode.WRONG_CASE_STATUS,
        )


def require_started(view: CaseView, started: bool, verb: str) -> None:
    """Until its deadlines are counted a case has not reached its unit (nor its policy been loaded): refuse."""
    if not started:
        raise CaseActionRefused(
            f"case is {view.status.value}: it has not reached its unit yet and cannot be {verb}; try again shortly",
            ProblemCode.CASE_NOT_ASSIGNED_YET,
        )


def require_not_calling_unit(view: CaseView, unit: str) -> None:
    """A township's or key-work call asks others to respond: it is never handed back to the unit that called."""
    if view.calling_unit is not None and unit == view.calling_unit:
        raise CaseActionRefused(
            f"{unit!r} is the calling unit of this call and cannot answer its own call; name another unit",
            ProblemCode.CALLING_UNIT_CANNOT_ANSWER,
        )


def check_accept(view: CaseView, unit: str) -> None:
    require_handling_unit(view, unit, "accept")
    if view.status is not CaseStatus.ASSIGNED:
        raise CaseActionRefused(
            f"case is {view.status.value}; only an assigned case can be accepted", ProblemCode.WRONG_CASE_STATUS
        )


def check_transfer(view: CaseView, policy: CasePolicy, request: TransferRequest, now: datetime) -> None:
    require_handling_unit(view, request.unit, "transfer")
    if view.status is CaseStatus.ARBITRATION:
        raise CaseActionRefused(
            "the case is awaiting the coordination centre's arbitration", ProblemCode.CASE_IN_ARBITRATION
        )
    if view.status is not CaseStatus.ASSIGNED:
        raise CaseActionRefused(
            f"case is {view.status.value}; a case can be transferred only before it is accepted",
            ProblemCode.WRONG_CASE_STATUS,
        )
    if view.arbitrated:
        raise CaseActionRefused(
            "the coordination centre named the handling unit by arbitration; no further transfer",
            ProblemCode.CASE_ARBITRATED,
        )
    window = view.tracked(DeadlineKind.TRANSFER)
    if window is not None and now > window.due:
        raise CaseActionRefused(
            f"the transfer window closed at {window.due.isoformat()}; the unit must handle the case",
            ProblemCode.TRANSFER_WINDOW_CLOSED,
        )
    if request.to_unit == request.unit:
        raise CaseActionRefused("a case cannot be transferred to the unit that holds it", ProblemCode.TRANSFER_TO_SELF)
    require_not_calling_unit(view, request.to_unit)
    earlier = {t.from_unit for t in view.transfers}
    if request.to_unit in earlier:
        raise CaseActionRefused(
            f"{request.to_unit!r} already transferred this case away; disputes go to arbitration",
            ProblemCode.TRANSFER_BACK,
        )


def check_arbitration(view: CaseView, decision: ArbitrationDecision) -> None:
    if decision.unit != COORDINATION_CENTRE:
        raise CaseActionRefused("only the coordination centre arbitrates", ProblemCode.COORDINATION_CENTRE_ONLY)
    if view.status is not CaseStatus.ARBITRATION:
        raise CaseActionRefused(
            f"case is {view.status.value}; only a case awaiting arbitration can be arbitrated",
            ProblemCode.WRONG_CASE_STATUS,
        )
    require_not_calling_unit(view, decision.handling_unit)


def check_feedback(view: CaseView, unit: str) -> None:
    require_handling_unit(view, unit, "give feedback on")
    require_status(view, WORKING, "give feedback")


def check_progress(view: CaseView, policy: CasePolicy, unit: str) -> None:
    require_handling_unit(view, unit, "report progress on")
    require_status(view, WORKING, "report progress")
    reports = sum(1 for entry in view.timeline if entry.action == TimelineAction.PROGRESS)
    if reports >= policy.max_progress_reports:
        raise CaseActionRefused(
            f"the case has {reports} progress reports, the most it takes; resolve it, ask for joint handling, "
            "an extension or an escalation instead",
            ProblemCode.PROGRESS_REPORT_LIMIT_REACHED,
        )


def check_joint_handling(view: CaseView, policy: CasePolicy, request: JointHandlingRequest) -> None:
    if request.unit not in (view.handling_unit, COORDINATION_CENTRE):
        raise CaseActionRefused(
            "only the handling unit or the coordination centre can start joint handling",
            ProblemCode.HANDLING_UNIT_OR_CENTRE_ONLY,
        )
    require_status(view, WORKING, "start joint handling")
    if view.open_joint_phase() is not None:
        raise CaseActionRefused(
            "joint handling is already under way; close it before starting another", ProblemCode.JOINT_HANDLING_OPEN
        )
    if len(view.joint_phases) >= policy.max_joint_phases:
        raise CaseActionRefused(
            f"the case has had {len(view.joint_phases)} joint handling phases, the most allowed; "
            "escalate it for coordination instead",
            ProblemCode.JOINT_PHASE_LIMIT_REACHED,
        )


def check_close_joint_phase(view: CaseView, unit: str) -> None:
    phase = view.open_joint_phase()
    if phase is None:
        raise CaseActionRefused("no joint handling is under way", ProblemCode.NO_JOINT_HANDLING)
    lead = phase.lead()
    if unit not in ((lead.unit if lead else None), COORDINATION_CENTRE):
        raise CaseActionRefused(
            f"only the lead unit ({lead.unit if lead else '-'}) can close the joint phase", ProblemCode.NOT_JOINT_LEAD
        )


def check_escalation(view: CaseView, policy: CasePolicy, request: EscalationRequest, *, leaders: set[str]) -> None:
    if view.status in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
        raise CaseActionRefused(
            f"case is {view.status.value}; there is nothing left to escalate", ProblemCode.WRONG_CASE_STATUS
        )
    if request.to is EscalationTarget.CITY_LEADER:
        if request.unit not in (view.handling_unit, COORDINATION_CENTRE):
            raise CaseActionRefused(
                "only the handling unit or the coordination centre can escalate to the city leader",
                ProblemCode.HANDLING_UNIT_OR_CENTRE_ONLY,
            )
        if view.escalation_level >= EscalationLevel.CITY_LEADER:
            raise CaseActionRefused("the case is already with the city leader or above", ProblemCode.ALREADY_ESCALATED)
        return
    if request.unit not in leaders | {COORDINATION_CENTRE}:
        raise CaseActionRefused(
            "only the city leader in charge or the coordination centre can ask for top-level coordination",
            ProblemCode.LEADER_OR_CENTRE_ONLY,
        )
    if view.escalation_level >= policy.top_level:
        raise CaseActionRefused("the case is already under top-level coordination", ProblemCode.ALREADY_ESCALATED)
    if view.escalation_level < EscalationLevel.CITY_LEADER:
        raise CaseActionRefused(
            "escalate to the city leader first; top-level coordination is asked from there",
            ProblemCode.ESCALATE_TO_CITY_LEADER_FIRST,
        )


def check_extension_request(view: CaseView, policy: CasePolicy, request: ExtensionRequest, now: datetime) -> None:
    require_handling_unit(view, request.unit, "ask for an extension on")
    require_status(view, WORKING, "have its deadline extended")
    if any(e.status is ExtensionStatus.PENDING for e in view.extensions):
        raise CaseActionRefused(
            "an extension request is already waiting for the coordination centre", ProblemCode.EXTENSION_PENDING
        )
    resolution = view.tracked(DeadlineKind.RESOLUTION)
    if resolution is None or now >= resolution.due:
        raise CaseActionRefused(
            "an extension must be asked before the resolution deadline passes", ProblemCode.EXTENSION_TOO_LATE
        )
    granted = sum(e.working_days for e in view.extensions if e.status is ExtensionStatus.APPROVED)
    if granted + request.working_days > policy.max_extension_working_days:
        raise CaseActionRefused(
            f"extensions may add at most {policy.max_extension_working_days} working days in all; "
            f"{granted} already granted",
            ProblemCode.EXTENSION_LIMIT_REACHED,
        )


def check_extension_decision(view: CaseView, unit: str) -> None:
    if unit != COORDINATION_CENTRE:
        raise CaseActionRefused(
            "only the coordination centre decides on extensions", ProblemCode.COORDINATION_CENTRE_ONLY
        )
    if not any(e.status is ExtensionStatus.PENDING for e in view.extensions):
        raise CaseActionRefused("no extension request is waiting for a decision", ProblemCode.NO_EXTENSION_PENDING)
    require_status(view, WORKING, "have its deadline extended")


def check_resolve(view: CaseView, unit: str) -> None:
    require_handling_unit(view, unit, "resolve")
    if view.status is CaseStatus.ASSIGNED:
        raise CaseActionRefused(
            "case has not been accepted; the handling unit must accept it before resolving",
            ProblemCode.CASE_NOT_ACCEPTED,
        )
    require_status(view, WORKING, "be resolved")
    phase = view.open_joint_phase()
    if phase is not None:
        pending = [t.unit for t in phase.tasks if not t.finished]
        raise CaseActionRefused(
            f"joint handling is still open (waiting for {', '.join(pending)}); the lead closes it",
            ProblemCode.JOINT_HANDLING_OPEN,
        )


def check_rating(view: CaseView) -> None:
    if view.status is not CaseStatus.RESOLVED:
        raise CaseActionRefused(
            f"case is {view.status.value}; only a resolved case can be rated", ProblemCode.WRONG_CASE_STATUS
        )


def check_unreasonable_demand(view: CaseView, unit: str) -> None:
    """The window after the rating is checked by the handler: counting it needs the calendar."""
    if unit != COORDINATION_CENTRE:
        raise CaseActionRefused(
            "only the coordination centre judges a demand unreasonable", ProblemCode.COORDINATION_CENTRE_ONLY
        )
    rating = view.rating
    if view.status is not CaseStatus.REWORK or rating is None or rating.outcome is not RatingLevel.UNSATISFIED:
        raise CaseActionRefused(
            f"case is {view.status.value}; only a case in rework after an unsatisfied outcome can have its demand "
            "judged unreasonable",
            ProblemCode.WRONG_CASE_STATUS,
        )
    if view.open_joint_phase() is not None:
        raise CaseActionRefused(
            "joint handling is still open; close it first (the coordination centre may)",
            ProblemCode.JOINT_HANDLING_OPEN,
        )
