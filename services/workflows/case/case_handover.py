"""Transfer with a notice (告知单), the transfer cap, and arbitration by the coordination centre.

Workflow code, run inside `FirstContactCase`.
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from services.contracts.case_actions import ArbitrationDecision, TransferRequest
    from services.contracts.case_event_log import EventFields
    from services.contracts.case_timeline import TimelineAction
    from services.contracts.case_view import DeadlineKind, Transfer, TransferNotice
    from services.contracts.cases import CaseStatus
    from services.contracts.events import EventKind
    from services.contracts.problem_codes import ProblemCode
    from services.workflows.case.case_engine import CaseEngine
    from services.workflows.case.case_errors import CaseActionRefused
    from services.workflows.case.case_events import platform_wants
    from services.workflows.case.case_pauses import PAUSED_FOR_ARBITRATION, pause, resume
    from services.workflows.publishing.workflow_notices import Notice

HANDOVER_DEADLINES = [DeadlineKind.SIGN_FOR, DeadlineKind.TRANSFER]


async def transfer_or_arbitrate(engine: CaseEngine, request: TransferRequest) -> None:
    """A transfer within the cap hands the case on; past it the case goes to arbitration and the transfer itself
    is refused."""
    transfers = len(engine.view.transfers)
    if transfers < engine.policy.max_transfers:
        await transfer(engine, request)
        return
    await send_to_arbitration(engine, request)
    raise CaseActionRefused(
        f"the case has been transferred {transfers} times, the most allowed; "
        "it now goes to the coordination centre for arbitration",
        ProblemCode.TRANSFER_LIMIT_REACHED,
    )


async def transfer(engine: CaseEngine, request: TransferRequest) -> None:
    """Hand the case to `to_unit`; the first-contact unit stays recorded, the caller is told once where it went."""
    view = engine.view
    now = engine.now()
    view.transfers.append(
        Transfer(
            from_unit=request.unit,
            to_unit=request.to_unit,
            reason=request.reason,
            catalog_item=request.catalog_item,
            at=now,
        )
    )
    view.handling_unit = request.to_unit
    engine.record(
        request.unit,
        TimelineAction.TRANSFERRED,
        f"→ {request.to_unit}（{request.catalog_item}）：{request.reason}",
        fields=EventFields(
            from_unit=request.unit, to_unit=request.to_unit, item=request.catalog_item, reason=request.reason
        ),
    )
    # The receiving unit gets its own sign-for and transfer windows from the moment it receives the case.
    await engine.start_deadlines(HANDOVER_DEADLINES, start=now)
    # Unit names and the sentences around the reason are the notifier's templates' to write.
    moved = Notice(detail=request.reason, from_unit=request.unit, to_unit=request.to_unit)
    engine.notify(EventKind.CASE_ASSIGNED, recipient=request.to_unit, notice=moved)
    send_transfer_notice(engine, view.transfers[-1])


def send_transfer_notice(engine: CaseEngine, handed_over: Transfer) -> None:
    """Record the notice (告知单) on the case, and send it to the caller wherever the caller can be reached: the
    platform's status callback, or the calling unit of a unit's call."""
    view = engine.view
    platform = platform_wants(EventKind.TRANSFER_NOTICE, engine.ticket)
    notice = TransferNotice(
        **handed_over.model_dump(),
        sent_to=[recipient for recipient in (platform, view.calling_unit) if recipient is not None],
    )
    view.transfer_notices.append(notice)
    told = Notice(detail=notice.reason, from_unit=notice.from_unit, to_unit=notice.to_unit)
    engine.notify_platform(EventKind.TRANSFER_NOTICE, told)
    if view.calling_unit is not None:
        engine.notify(EventKind.TRANSFER_NOTICE, recipient=view.calling_unit, notice=told)


async def send_to_arbitration(engine: CaseEngine, request: TransferRequest) -> None:
    """A transfer past the cap: the coordination centre decides who handles the case, within its own deadline."""
    view = engine.view
    view.status = CaseStatus.ARBITRATION
    engine.meet(*HANDOVER_DEADLINES)
    engine.record(
        request.unit,
        TimelineAction.ARBITRATION_REQUESTED,
        f"第 {len(view.transfers) + 1} 次转办被拒（上限 {engine.policy.max_transfers} 次），提请仲裁：{request.reason}",
        fields=EventFields(
            from_unit=request.unit, to_unit=request.to_unit, item=request.catalog_item, reason=request.reason
        ),
    )
    # No unit holds the case until the centre names one: what it owes the caller stands still meanwhile.
    pause(engine, PAUSED_FOR_ARBITRATION)
    await engine.start_deadlines([DeadlineKind.ARBITRATION], start=engine.now())
    engine.notify_coordination(
        EventKind.ARBITRATION_NEEDED, Notice(detail=request.reason, from_unit=request.unit, to_unit=request.to_unit)
    )


async def arbitrate(engine: CaseEngine, decision: ArbitrationDecision) -> None:
    """The coordination centre names the handling unit; it signs for the case within a new sign-for window."""
    view = engine.view
    view.status = CaseStatus.ASSIGNED
    view.arbitrated = True
    # The unit that asked to give the case away: kept on it, it lost the arbitration (the rates count it).
    asked_by = view.handling_unit
    view.handling_unit = decision.handling_unit
    engine.meet(DeadlineKind.ARBITRATION)
    engine.record(
        decision.unit,
        TimelineAction.ARBITRATED,
        f"承办单位：{decision.handling_unit}；理由：{decision.reason}",
        fields=EventFields(from_unit=asked_by, to_unit=decision.handling_unit, reason=decision.reason),
    )
    await resume(engine, engine.policy.after_arbitration)
    await engine.start_deadlines([DeadlineKind.SIGN_FOR], start=engine.now())
    decided = Notice(detail=decision.reason)
    engine.notify(EventKind.ARBITRATION_DECIDED, recipient=decision.handling_unit, notice=decided)
    engine.notify_platform(EventKind.CASE_ASSIGNED, decided)
