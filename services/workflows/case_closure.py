"""Resolution, extensions, the caller's rating, rework and closing.

Workflow code, run inside `FirstContactCase`.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from services.contracts.case_actions import ExtensionDecision, ExtensionRequest, RatingSubmission, UnitAction
    from services.contracts.case_timeline import CALLER, SYSTEM, TimelineAction
    from services.contracts.case_view import DeadlineKind, Extension, ExtensionStatus, Rating, RatingLevel
    from services.contracts.cases import CaseStatus
    from services.contracts.events import EventKind
    from services.workflows.case_engine import CaseEngine


async def resolve(engine: CaseEngine, action: UnitAction) -> None:
    """The handling unit reports the result; the caller's reply counts as feedback; the rating is awaited."""
    view = engine.view
    now = workflow.now()
    view.status = CaseStatus.RESOLVED
    view.resolved_at = now
    view.resolution_note = action.note
    view.feedback_at = view.feedback_at or now
    engine.meet(DeadlineKind.RESOLUTION, DeadlineKind.FEEDBACK)
    view.rating_due = now + timedelta(days=engine.policy.rating_wait_days)
    engine.record(action.unit, TimelineAction.RESOLVED, action.note)
    await engine.notify_platform(EventKind.CASE_RESOLVED, detail=action.note)
    for extension in view.extensions:
        if extension.status is ExtensionStatus.PENDING:
            extension.status = ExtensionStatus.WITHDRAWN
            extension.note = "case resolved before a decision"


async def request_extension(engine: CaseEngine, request: ExtensionRequest) -> None:
    """Ask for more working days; the coordination centre decides."""
    engine.view.extensions.append(
        Extension(
            requested_by=request.unit,
            reason=request.reason,
            working_days=request.working_days,
            requested_at=workflow.now(),
        )
    )
    engine.record(
        request.unit, TimelineAction.EXTENSION_REQUESTED, f"{request.working_days} 个工作日：{request.reason}"
    )
    await engine.notify_coordination(EventKind.EXTENSION_REQUESTED, detail=request.reason)


async def decide_extension(engine: CaseEngine, decision: ExtensionDecision) -> None:
    pending = next(e for e in engine.view.extensions if e.status is ExtensionStatus.PENDING)
    pending.decided_by = decision.unit
    pending.decided_at = workflow.now()
    pending.note = decision.note
    if decision.approved:
        pending.status = ExtensionStatus.APPROVED
        await extend_resolution(engine, pending)
    else:
        pending.status = ExtensionStatus.REFUSED
        engine.record(decision.unit, TimelineAction.EXTENSION_REFUSED, decision.note)
    await engine.notify(
        EventKind.EXTENSION_DECIDED,
        recipient=engine.handling_unit,
        detail=f"{pending.status.value}：{decision.note}",
    )


async def rate(engine: CaseEngine, submission: RatingSubmission) -> None:
    """The caller's rating: an unsatisfied outcome sends the case back (up to the policy's reworks)."""
    view = engine.view
    rating = Rating(
        speed=submission.speed,
        outcome=submission.outcome,
        comment=submission.comment,
        at=workflow.now(),
        round=view.reworks,
    )
    view.ratings.append(rating)
    engine.record(CALLER, TimelineAction.RATED, f"速度：{rating.speed.value}；结果：{rating.outcome.value}")
    if rating.outcome is not RatingLevel.UNSATISFIED:
        await close(engine, "rated")
    elif view.reworks < engine.policy.max_reworks:
        await rework(engine, rating)
    else:
        await close(engine, "unsatisfied after the last allowed rework")


async def extend_resolution(engine: CaseEngine, extension: Extension) -> None:
    """An approved extension moves the resolution deadline by its working days."""
    tracked = engine.view.tracked(DeadlineKind.RESOLUTION)
    assert tracked is not None
    extension.old_due = tracked.due
    tracked.extra_working_days += extension.working_days
    computed = await engine.recount(tracked)
    tracked.due = computed.due
    tracked.provisional = computed.provisional
    tracked.provisional_years = computed.provisional_years
    tracked.reminders = [r for r in computed.reminders if r > workflow.now()]
    tracked.reminders_sent = 0
    # A breach that an approved extension covers is lifted; it stays in the case's record.
    tracked.breached_at = None
    tracked.chase_up_at = None
    tracked.chase_up_sent = False  # a breach of the extended deadline is chased up again
    tracked.next_escalation_at = None
    extension.new_due = computed.due
    engine.record(
        extension.decided_by or SYSTEM,
        TimelineAction.EXTENSION_APPROVED,
        f"办结时限由 {extension.old_due.isoformat()} 延至 {computed.due.isoformat()}：{extension.note}",
    )


async def rework(engine: CaseEngine, rating: Rating) -> None:
    """An unsatisfied caller sends the case back to the same unit with a new resolution deadline."""
    view = engine.view
    view.status = CaseStatus.REWORK
    view.reworks += 1
    view.rating_due = None
    view.resolved_at = None
    engine.record(SYSTEM, TimelineAction.REWORK, f"第 {view.reworks} 次重办：{rating.comment}")
    await engine.start_deadlines([DeadlineKind.RESOLUTION], start=workflow.now())
    await engine.notify(EventKind.REWORK, recipient=engine.handling_unit, detail=rating.comment)
    await engine.notify_platform(EventKind.REWORK, detail=rating.comment)


async def close(engine: CaseEngine, reason: str) -> None:
    view = engine.view
    view.status = CaseStatus.CLOSED
    view.closed_at = workflow.now()
    view.closed_reason = reason
    view.rating_due = None
    engine.record(SYSTEM, TimelineAction.CLOSED, reason)
    await engine.notify(EventKind.CASE_CLOSED, recipient=engine.handling_unit, detail=reason)
    await engine.notify_platform(EventKind.CASE_CLOSED, detail=reason)
    if reason.startswith("unsatisfied"):
        await engine.notify_coordination(EventKind.CASE_CLOSED, detail=reason)
