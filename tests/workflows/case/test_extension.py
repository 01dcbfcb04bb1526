"""Extensions of the resolution deadline: asked by the handling unit before it passes, decided by the centre."""

from __future__ import annotations

from datetime import timedelta

from services.contracts.case_actions import ExtensionDecision, ExtensionRequest, FeedbackReport, UnitAction
from services.contracts.case_view import ExtensionStatus
from services.contracts.case_workflow import CaseUpdate
from services.contracts.events import EventKind
from tests.workflows.harness import CaseHandle, Cases, actions

CENTRE = "coordination-centre"


def asking(working_days: int) -> ExtensionRequest:
    return ExtensionRequest(unit="water", reason="需更换主管道，等待材料", working_days=working_days)


async def accepted_case(cases: Cases) -> CaseHandle:
    """Signed for and answered: only the resolution deadline is still running."""
    case = await cases.start(unit="water")
    await case.act(CaseUpdate.ACCEPT, UnitAction(unit="water"))
    await case.act(CaseUpdate.FEEDBACK, FeedbackReport(unit="water", message="已联系您"))
    return case


async def test_approved_extension_moves_the_resolution_deadline_and_a_refused_one_does_not(cases: Cases) -> None:
    case = await accepted_case(cases)
    calendar = cases.sources.calendar
    received = case.case.received_at
    original = (await case.state()).deadlines.resolution
    assert original == calendar.add_working_days(received, 7).at

    pending = await case.act(CaseUpdate.REQUEST_EXTENSION, asking(5))
    assert [(e.status, e.working_days, e.requested_by) for e in pending.extensions] == [
        (ExtensionStatus.PENDING, 5, "water")
    ]
    assert pending.deadlines.resolution == original
    assert cases.published.to(EventKind.EXTENSION_REQUESTED) == [(CENTRE, "coordination")]
    while_pending = await case.refused(CaseUpdate.REQUEST_EXTENSION, asking(3))
    assert "already waiting for the coordination centre" in while_pending.message
    by_unit = await case.refused(CaseUpdate.DECIDE_EXTENSION, ExtensionDecision(unit="water", approved=True))
    assert "only the coordination centre decides" in by_unit.message

    approved = await case.act(
        CaseUpdate.DECIDE_EXTENSION, ExtensionDecision(unit=CENTRE, approved=True, note="同意延期5个工作日")
    )
    extended = calendar.add_working_days(received, 12).at
    assert approved.deadlines.resolution == extended
    [extension] = approved.extensions
    assert (extension.status, extension.decided_by, extension.old_due, extension.new_due) == (
        ExtensionStatus.APPROVED,
        CENTRE,
        original,
        extended,
    )
    assert actions(approved)[-1] == ("extension_approved", CENTRE)

    await case.act(CaseUpdate.REQUEST_EXTENSION, asking(3))
    refused = await case.act(CaseUpdate.DECIDE_EXTENSION, ExtensionDecision(unit=CENTRE, approved=False, note="不同意"))
    assert refused.deadlines.resolution == extended
    assert [e.status for e in refused.extensions] == [ExtensionStatus.APPROVED, ExtensionStatus.REFUSED]
    assert actions(refused)[-1] == ("extension_refused", CENTRE)
    decisions = cases.published.of_kind(EventKind.EXTENSION_DECIDED)
    assert [(e.unit, e.audience.value) for e in decisions] == [("water", "unit")] * 2
    assert [(e.outcome, e.detail) for e in decisions] == [("approved", "同意延期5个工作日"), ("refused", "不同意")]
    assert len(cases.published.of_kind(EventKind.EXTENSION_REQUESTED)) == 2

    # The extended deadline is the one the case now keeps: no breach at the original one.
    await cases.sleep_until(original + timedelta(hours=1))
    assert (await case.state()).overdue is False
    assert cases.published.of_kind(EventKind.DEADLINE_BREACHED) == []
    await cases.sleep_until(extended + timedelta(minutes=1))
    view = await case.state()
    assert view.overdue is True
    assert [(b.kind.value, b.due) for b in view.breaches] == [("resolution", extended)]


async def test_extension_asked_after_the_resolution_deadline_or_beyond_the_cap_is_refused(cases: Cases) -> None:
    case = await accepted_case(cases)
    too_long = await case.refused(CaseUpdate.REQUEST_EXTENSION, asking(31))
    assert "at most 30 working days in all" in too_long.message
    resolution_due = (await case.state()).deadlines.resolution
    assert resolution_due is not None

    await cases.sleep_until(resolution_due + timedelta(hours=1))
    late = await case.refused(CaseUpdate.REQUEST_EXTENSION, asking(5))

    assert "must be asked before the resolution deadline passes" in late.message
    view = await case.state()
    assert view.extensions == []
    assert view.deadlines.resolution == resolution_due
    assert cases.published.of_kind(EventKind.EXTENSION_REQUESTED) == []


async def test_extensions_are_capped_in_total_not_per_request(cases: Cases) -> None:
    case = await accepted_case(cases)
    await case.act(CaseUpdate.REQUEST_EXTENSION, asking(20))
    await case.act(CaseUpdate.DECIDE_EXTENSION, ExtensionDecision(unit=CENTRE, approved=True))

    over = await case.refused(CaseUpdate.REQUEST_EXTENSION, asking(11))

    assert "20 already granted" in over.message
    within = await case.act(CaseUpdate.REQUEST_EXTENSION, asking(10))
    assert [e.status for e in within.extensions] == [ExtensionStatus.APPROVED, ExtensionStatus.PENDING]


async def test_a_pending_extension_is_withdrawn_when_the_case_is_resolved(cases: Cases) -> None:
    case = await accepted_case(cases)
    await case.act(CaseUpdate.REQUEST_EXTENSION, asking(5))

    resolved = await case.act(CaseUpdate.RESOLVE, UnitAction(unit="water", note="已修复"))

    assert [e.status for e in resolved.extensions] == [ExtensionStatus.WITHDRAWN]
    late = await case.refused(CaseUpdate.DECIDE_EXTENSION, ExtensionDecision(unit=CENTRE, approved=True))
    assert "no extension request is waiting" in late.message


async def test_a_breach_after_an_approved_extension_is_chased_up_again(cases: Cases) -> None:
    case = await accepted_case(cases)
    calendar = cases.sources.calendar
    original = (await case.state()).deadlines.resolution
    assert original is not None
    await case.act(CaseUpdate.REQUEST_EXTENSION, asking(5))

    # The centre takes its time: the resolution deadline passes and the unit is chased up once.
    first_chase_up = calendar.start_of_next_working_day(original).at
    await cases.sleep_until(first_chase_up + timedelta(minutes=1))
    assert len(cases.published.of_kind(EventKind.CHASE_UP)) == 1

    approved = await case.act(CaseUpdate.DECIDE_EXTENSION, ExtensionDecision(unit=CENTRE, approved=True))
    extended = approved.deadlines.resolution
    assert extended is not None and extended > original
    assert approved.overdue is False

    # Missed again at the extended deadline: breached and chased up again, the next working day.
    second_chase_up = calendar.start_of_next_working_day(extended).at
    await cases.sleep_until(second_chase_up + timedelta(minutes=1))
    view = await case.state()
    assert [(b.kind.value, b.due) for b in view.breaches] == [("resolution", original), ("resolution", extended)]
    chased = cases.published.of_kind(EventKind.CHASE_UP)
    assert [(e.unit, e.due) for e in chased] == [("water", original), ("water", extended)]
