"""The plain life of a case: signed for, answered, resolved, rated, closed; and what the case refuses on the way."""

from __future__ import annotations

from datetime import datetime, timedelta

from services.contracts import search_attributes as sa
from services.contracts.case_actions import FeedbackReport, ProgressReport, RatingSubmission, UnitAction
from services.contracts.case_view import CaseAttachment, RatingLevel
from services.contracts.case_workflow import CaseUpdate
from services.contracts.cases import CaseStatus
from services.contracts.events import EventKind
from services.contracts.tickets import Channel
from tests.workflows.harness import Cases, actions

SATISFIED = RatingSubmission(speed=RatingLevel.SATISFIED, outcome=RatingLevel.SATISFIED, comment="处理及时")


async def test_case_handled_on_time_is_rated_and_closed(cases: Cases) -> None:
    case = await cases.start(unit="water", callback=True)
    # Every step well inside its window (the earliest reminder is hours away): nothing is ever late.
    await cases.env.sleep(timedelta(minutes=30))
    await case.act(CaseUpdate.ACCEPT, UnitAction(unit="water", note="已安排抢修班组"))
    await case.act(CaseUpdate.FEEDBACK, FeedbackReport(unit="water", message="已联系您，今日下午抢修"))
    resolved = await case.act(CaseUpdate.RESOLVE, UnitAction(unit="water", note="管道已修复，恢复供水"))
    assert resolved.status is CaseStatus.RESOLVED
    assert resolved.rating_due == resolved.resolved_at + timedelta(days=7)  # type: ignore[operator]
    await cases.env.sleep(timedelta(days=1))
    await case.act(CaseUpdate.RATE, SATISFIED)

    result = await case.result()

    assert result.status is CaseStatus.CLOSED
    assert result.closed_reason == "rated"
    assert result.overdue is False
    assert result.breaches == []
    assert result.escalation_level == 0
    assert result.rating is not None and result.rating.outcome is RatingLevel.SATISFIED
    assert result.first_contact_unit == result.handling_unit == "water"
    assert actions(result) == [
        ("received", "12345"),
        ("routed", "router"),
        ("assigned", "system"),
        ("accepted", "water"),
        ("feedback", "water"),
        ("resolved", "water"),
        ("rated", "caller"),
        ("closed", "system"),
    ]
    assert [(e.kind.value, e.unit, e.audience.value) for e in cases.published.events] == [
        ("case_assigned", "water", "unit"),
        ("case_assigned", "platform-12345", "platform"),
        ("case_accepted", "water", "unit"),
        ("case_accepted", "platform-12345", "platform"),
        ("feedback_given", "platform-12345", "platform"),
        ("case_resolved", "platform-12345", "platform"),
        ("case_closed", "water", "unit"),
        ("case_closed", "platform-12345", "platform"),
    ]
    assigned = cases.published.events[0]
    assert assigned.deadlines.resolution == result.deadlines.resolution
    # The platform is called back with its URL and without the caller's address.
    platform_events = [e for e in cases.published.events if e.unit == "platform-12345"]
    assert all(e.callback_url == "https://12345.example.gov.cn/callbacks/cases" for e in platform_events)
    assert all(e.address is None for e in platform_events)
    assert (await case.handle.describe()).typed_search_attributes.get(sa.CASE_STATUS) == "closed"


async def test_only_the_handling_unit_signs_for_the_case_and_only_once(cases: Cases) -> None:
    case = await cases.start(unit="water")

    by_other = await case.refused(CaseUpdate.ACCEPT, UnitAction(unit="health"))
    assert "'health' may not accept" in by_other.message
    assert "the handling unit is 'water'" in by_other.message
    assert (await case.state()).status is CaseStatus.ASSIGNED

    await case.act(CaseUpdate.ACCEPT, UnitAction(unit="water"))
    twice = await case.refused(CaseUpdate.ACCEPT, UnitAction(unit="water"))
    assert "only an assigned case can be accepted" in twice.message

    view = await case.state()
    assert view.status is CaseStatus.ACCEPTED
    assert [a for a in actions(view) if a[0] == "accepted"] == [("accepted", "water")]


async def test_no_feedback_or_resolution_before_the_case_is_signed_for(cases: Cases) -> None:
    case = await cases.start(unit="water", callback=True)

    resolve = await case.refused(CaseUpdate.RESOLVE, UnitAction(unit="water", note="已处理"))
    assert "must accept it before resolving" in resolve.message
    feedback = await case.refused(CaseUpdate.FEEDBACK, FeedbackReport(unit="water", message="已联系"))
    assert "case is assigned" in feedback.message

    view = await case.state()
    assert view.status is CaseStatus.ASSIGNED
    assert view.feedback_at is None and view.resolved_at is None
    assert actions(view) == [("received", "12345"), ("routed", "router"), ("assigned", "system")]
    assert cases.published.to(EventKind.CASE_ASSIGNED) == [("water", "unit"), ("platform-12345", "platform")]
    assert len(cases.published.events) == 2


async def test_explanation_in_a_progress_report_clears_the_demand_after_a_breach(cases: Cases) -> None:
    case = await cases.start(unit="water", callback=True)
    await case.act(CaseUpdate.ACCEPT, UnitAction(unit="water"))
    feedback_due = (await case.state()).deadlines.feedback
    assert feedback_due is not None

    await cases.sleep_until(feedback_due + timedelta(hours=1))
    breached = await case.state()
    assert breached.overdue is True
    assert breached.explanation_required is True
    assert [(b.kind.value, b.unit) for b in breached.breaches] == [("feedback", "water")]
    assert cases.published.to(EventKind.DEADLINE_BREACHED) == [("water", "unit"), ("water", "unit_leader")]

    without = await case.act(CaseUpdate.PROGRESS, ProgressReport(unit="water", done="已到现场查看"))
    assert without.explanation_required is True
    explained = await case.act(
        CaseUpdate.PROGRESS,
        ProgressReport(unit="water", done="已更换阀门", next="明日恢复供水", explanation="抢修队伍被暴雨耽误"),
    )

    assert explained.explanation_required is False
    assert explained.overdue is True  # the caller still has had no reply
    progress = [entry for entry in explained.timeline if entry.action == "progress"]
    assert [entry.actor for entry in progress] == ["water", "water"]
    assert "说明：抢修队伍被暴雨耽误" in progress[1].detail
    assert cases.published.to(EventKind.PROGRESS_REPORTED) == [("platform-12345", "platform")] * 2
    answered = await case.act(CaseUpdate.FEEDBACK, FeedbackReport(unit="water", message="已联系您"))
    assert answered.overdue is False


def attachment(attachment_id: str, *, photo: bool, at: datetime) -> CaseAttachment:
    """A file intake stored on the case: a photo (with its thumbnail) or a PDF."""
    return CaseAttachment(
        attachment_id=attachment_id,
        kind="image" if photo else "document",
        media_type="image/jpeg" if photo else "application/pdf",
        size_bytes=48_213,
        sha256="0" * 64,
        uploaded_at=at,
        uploaded_by="water",
        has_thumbnail=photo,
    )


async def test_a_units_call_resolved_with_proof_tells_its_caller_and_platform_which_files_have_thumbnails(
    cases: Cases,
) -> None:
    routed = cases.new_case(await cases.now(), unit="water", callback=True)
    call = routed.model_copy(
        update={
            "calling_unit": "hekou-town",
            "ticket": routed.ticket.model_copy(update={"channel": Channel.TOWNSHIP_CALL}),
        }
    )
    case = await cases.start(call)
    photo_id, notice_id = "a" * 32, "b" * 32
    for attachment_id, photo in ((photo_id, True), (notice_id, False)):
        await case.act(CaseUpdate.ADD_ATTACHMENT, attachment(attachment_id, photo=photo, at=await cases.now()))
    await case.act(CaseUpdate.ACCEPT, UnitAction(unit="water"))

    await case.act(CaseUpdate.RESOLVE, UnitAction(unit="water", note="已改造", attachment_ids=[notice_id, photo_id]))

    resolved = cases.published.of_kind(EventKind.CASE_RESOLVED)
    # The calling unit rates its call, so it hears the resolution as a platform does, with the proof.
    assert [(e.unit, e.audience.value) for e in resolved] == [
        ("platform-township-call", "platform"),
        ("hekou-town", "unit"),
    ]
    assert all(e.attachment_ids == [notice_id, photo_id] and e.thumbnail_ids == [photo_id] for e in resolved)


async def test_a_reply_and_a_progress_report_take_their_photos_to_the_platform(cases: Cases) -> None:
    case = await cases.start(cases.new_case(await cases.now(), unit="water", callback=True))
    photo_id, scan_id = "c" * 32, "d" * 32
    for attachment_id, photo in ((photo_id, True), (scan_id, False)):
        await case.act(CaseUpdate.ADD_ATTACHMENT, attachment(attachment_id, photo=photo, at=await cases.now()))
    await case.act(CaseUpdate.ACCEPT, UnitAction(unit="water"))

    await case.act(CaseUpdate.FEEDBACK, FeedbackReport(unit="water", message="已到现场", attachment_ids=[photo_id]))
    await case.act(
        CaseUpdate.PROGRESS, ProgressReport(unit="water", done="已更换阀门", attachment_ids=[scan_id, photo_id])
    )

    [feedback] = cases.published.of_kind(EventKind.FEEDBACK_GIVEN)
    [progress] = cases.published.of_kind(EventKind.PROGRESS_REPORTED)
    assert (feedback.attachment_ids, feedback.thumbnail_ids) == ([photo_id], [photo_id])
    assert (progress.attachment_ids, progress.thumbnail_ids) == ([scan_id, photo_id], [photo_id])
