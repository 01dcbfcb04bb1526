"""Resolution, extensions, the caller's rating, rework, unreasonable demands and closing.

Workflow code, run inside `FirstContactCase`.
"""

from __future__ import annotations

from datetime import timedelta

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from services.contracts.case_actions import (
        ExtensionDecision,
        ExtensionRequest,
        RatingSubmission,
        UnitAction,
        UnreasonableDemandJudgement,
    )
    from services.contracts.case_event_log import EventFields
    from services.contracts.case_timeline import CALLER, SYSTEM, TimelineAction
    from services.contracts.case_view import (
        UNREASONABLE_DEMAND,
        DeadlineKind,
        Extension,
        ExtensionStatus,
        Rating,
        RatingLevel,
        UnreasonableDemand,
    )
    from services.contracts.cases import CaseStatus
    from services.contracts.events import EventKind
    from services.contracts.problem_codes import ProblemCode
    from services.workflows.case.case_engine import CaseEngine
    from services.workflows.case.case_errors import CaseActionRefused
    from services.workflows.publishing.workflow_notices import Notice


async def resolve(engine: CaseEngine, action: UnitAction) -> None:
    """The handling unit reports the result; the caller's reply counts as feedback; the rating is awaited."""
    view = engine.view
    now = engine.now()
    view.status = CaseStatus.RESOLVED
    view.resolved_at = now
    view.resolution_note = action.note
    view.feedback_at = view.feedback_at or now
    engine.meet(DeadlineKind.RESOLUTION, DeadlineKind.FEEDBACK)
    view.rating_due = now + timedelta(days=engine.policy.rating_wait_days)
    fields = EventFields(note=action.note, attachment_ids=action.attachment_ids or None)
    engine.record(action.unit, TimelineAction.RESOLVED, action.note, fields=fields)
    # The after-photo goes with the resolution to whoever raised the matter and rates it: the platform (its
    # callback carries a link to each file) and the calling unit of a unit's call (its channels show thumbnails).
    resolved = Notice(detail=action.note, attachment_ids=tuple(action.attachment_ids))
    engine.notify_platform(EventKind.CASE_RESOLVED, resolved)
    if view.calling_unit is not None:
        engine.notify(EventKind.CASE_RESOLVED, recipient=view.calling_unit, notice=resolved)
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
            requested_at=engine.now(),
        )
    )
    engine.record(
        request.unit,
        TimelineAction.EXTENSION_REQUESTED,
        f"{request.working_days} 个工作日：{request.reason}",
        fields=EventFields(working_days=request.working_days, reason=request.reason),
    )
    engine.notify_coordination(EventKind.EXTENSION_REQUESTED, Notice(detail=request.reason))


async def decide_extension(engine: CaseEngine, decision: ExtensionDecision) -> None:
    pending = next(e for e in engine.view.extensions if e.status is ExtensionStatus.PENDING)
    pending.decided_by = decision.unit
    pending.decided_at = engine.now()
    pending.note = decision.note
    if decision.approved:
        pending.status = ExtensionStatus.APPROVED
        await extend_resolution(engine, pending)
    else:
        pending.status = ExtensionStatus.REFUSED
        engine.record(
            decision.unit,
            TimelineAction.EXTENSION_REFUSED,
            decision.note,
            fields=EventFields(working_days=pending.working_days, approved=False, note=decision.note),
        )
    engine.notify(
        EventKind.EXTENSION_DECIDED,
        recipient=engine.handling_unit,
        notice=Notice(detail=decision.note, outcome=pending.status.value),
    )


async def rate(engine: CaseEngine, submission: RatingSubmission) -> None:
    """The caller's rating: an unsatisfied outcome sends the case back (up to the policy's reworks)."""
    view = engine.view
    rating = Rating(
        speed=submission.speed,
        outcome=submission.outcome,
        comment=submission.comment,
        at=engine.now(),
        round=view.reworks,
    )
    view.ratings.append(rating)
    engine.record(
        CALLER,
        TimelineAction.RATED,
        f"速度：{rating.speed.value}；结果：{rating.outcome.value}",
        fields=EventFields(
            speed=rating.speed.value, outcome=rating.outcome.value, round=rating.round, comment=rating.comment
        ),
    )
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
    tracked.reminders = [r for r in computed.reminders if r > engine.now()]
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
        fields=EventFields(
            working_days=extension.working_days,
            approved=True,
            due=computed.due,
            previous_due=extension.old_due,
            note=extension.note,
        ),
    )


async def rework(engine: CaseEngine, rating: Rating) -> None:
    """An unsatisfied caller sends the case back to the same unit with a new resolution deadline."""
    view = engine.view
    view.status = CaseStatus.REWORK
    view.reworks += 1
    view.rating_due = None
    view.resolved_at = None
    engine.record(
        SYSTEM,
        TimelineAction.REWORK,
        f"第 {view.reworks} 次重办：{rating.comment}",
        fields=EventFields(round=view.reworks, outcome=rating.outcome.value, comment=rating.comment),
    )
    await engine.start_deadlines([DeadlineKind.RESOLUTION], start=engine.now())
    engine.notify(EventKind.REWORK, recipient=engine.handling_unit, notice=Notice(detail=rating.comment))
    engine.notify_platform(EventKind.REWORK, Notice(detail=rating.comment))


async def judge_unreasonable_demand(engine: CaseEngine, judgement: UnreasonableDemandJudgement) -> None:
    """Within the policy's window after the unsatisfied rating: the rework ends and the case closes, keeping the
    judgement; the rating stays on record, marked, for the rates to count as their definitions say."""
    view = engine.view
    rating = view.ratings[-1]
    window = engine.policy.unreasonable_demand_window
    until = (await engine.compute(rating.at, window)).due
    now = engine.now()
    if now > until:
        raise CaseActionRefused(
            f"a demand may be judged unreasonable within {window.label()} of the unsatisfied rating, "
            f"until {until.isoformat()}; the rework goes on",
            ProblemCode.UNREASONABLE_DEMAND_WINDOW_CLOSED,
        )
    rating.judged_unreasonable = True
    view.unreasonable_demand = UnreasonableDemand(
        judged_by=judgement.unit, judged_at=now, reason=judgement.reason, rating_round=rating.round
    )
    engine.meet(DeadlineKind.RESOLUTION, DeadlineKind.FEEDBACK)
    for extension in view.extensions:
        if extension.status is ExtensionStatus.PENDING:
            extension.status = ExtensionStatus.WITHDRAWN
            extension.note = "demand judged unreasonable before a decision"
    engine.record(
        judgement.unit,
        TimelineAction.DEMAND_JUDGED_UNREASONABLE,
        judgement.reason,
        fields=EventFields(round=rating.round, reason=judgement.reason),
    )
    await close(engine, UNREASONABLE_DEMAND, detail=judgement.reason)


async def close(engine: CaseEngine, reason: str, *, detail: str | None = None) -> None:
    """Close the case for `reason` (its `closed_reason`); the unit and the platform are told `detail` or the reason."""
    view = engine.view
    view.status = CaseStatus.CLOSED
    view.closed_at = engine.now()
    view.closed_reason = reason
    view.rating_due = None
    engine.record(SYSTEM, TimelineAction.CLOSED, reason, fields=EventFields(reason=reason))
    closed = Notice(detail=detail or "", outcome=reason)
    engine.notify(EventKind.CASE_CLOSED, recipient=engine.handling_unit, notice=closed)
    engine.notify_platform(EventKind.CASE_CLOSED, closed)
    if reason.startswith("unsatisfied"):
        engine.notify_coordination(EventKind.CASE_CLOSED, closed)
