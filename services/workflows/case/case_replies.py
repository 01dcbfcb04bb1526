"""Signing for a case and replying on it: accept, feedback to the caller, interim progress reports.

Workflow code, run inside `FirstContactCase`.
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from services.contracts.case_actions import FeedbackReport, ProgressReport, UnitAction
    from services.contracts.case_event_log import EventFields
    from services.contracts.case_timeline import TimelineAction
    from services.contracts.case_view import CaseAttachment, DeadlineKind
    from services.contracts.cases import CaseStatus
    from services.contracts.events import EventKind
    from services.workflows.case.case_engine import CaseEngine
    from services.workflows.publishing.workflow_notices import Notice


async def accept(engine: CaseEngine, action: UnitAction) -> None:
    """The handling unit signs for the case (承接); it can no longer transfer it."""
    engine.view.status = CaseStatus.ACCEPTED
    engine.meet(DeadlineKind.SIGN_FOR, DeadlineKind.TRANSFER)
    engine.record(
        action.unit,
        TimelineAction.ACCEPTED,
        action.note,
        fields=EventFields(unit=action.unit, note=action.note, attachment_ids=action.attachment_ids or None),
    )
    # The unit's own systems get the deadlines it now works to; a first-contact unit that transferred the case
    # learns that it has been signed for; the platform hears the status change.
    engine.notify(EventKind.CASE_ACCEPTED, recipient=engine.handling_unit)
    first_contact = engine.view.first_contact_unit
    if first_contact is not None and first_contact != engine.handling_unit:
        engine.notify(EventKind.CASE_ACCEPTED, recipient=first_contact)
    engine.notify_platform(EventKind.CASE_ACCEPTED)


async def attach(engine: CaseEngine, attachment: CaseAttachment) -> None:
    """A file attached to the case (intake stored it): listed on the case once, whatever the retries."""
    if any(known.attachment_id == attachment.attachment_id for known in engine.view.attachments):
        return
    engine.view.attachments.append(attachment)
    fields = EventFields(attachment_ids=[attachment.attachment_id])
    engine.record(attachment.uploaded_by, TimelineAction.ATTACHMENT_ADDED, attachment.kind, fields=fields)


async def feedback(engine: CaseEngine, report: FeedbackReport) -> None:
    """The first reply to the caller; the platform hears it too."""
    engine.view.feedback_at = engine.view.feedback_at or engine.now()
    engine.meet(DeadlineKind.FEEDBACK)
    fields = EventFields(note=report.message, attachment_ids=report.attachment_ids or None)
    engine.record(report.unit, TimelineAction.FEEDBACK, report.message, fields=fields)
    # Photos the reply shows go with it (links in the platform's callback).
    shown = tuple(report.attachment_ids)
    engine.notify_platform(EventKind.FEEDBACK_GIVEN, Notice(detail=report.message, attachment_ids=shown))


async def progress(engine: CaseEngine, report: ProgressReport) -> None:
    """An interim report (阶段性成效); with an explanation it answers the one a breach asked for."""
    detail = f"已办：{report.done}；下一步：{report.next}" if report.next else f"已办：{report.done}"
    if report.explanation:
        detail += f"；说明：{report.explanation}"
        engine.view.explanation_required = False
    # The next step is the measure the unit proposes (the special report lists it); the explanation answers a breach.
    fields = EventFields(
        note=report.done,
        plan=report.next or None,
        reason=report.explanation or None,
        attachment_ids=report.attachment_ids or None,
    )
    engine.record(report.unit, TimelineAction.PROGRESS, detail, fields=fields)
    shown = tuple(report.attachment_ids)
    engine.notify_platform(EventKind.PROGRESS_REPORTED, Notice(detail=detail, attachment_ids=shown))
