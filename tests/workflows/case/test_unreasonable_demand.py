"""Unreasonable demands (不合理诉求): within the policy's window after an unsatisfied rating, the coordination centre
may judge the demand unreasonable, with a reason; the rework ends and the case closes keeping the judgement, and
the rating stays on record, marked as judged unreasonable."""

from __future__ import annotations

from datetime import timedelta

from services.contracts.case_actions import (
    FeedbackReport,
    JointHandlingRequest,
    JointParticipant,
    RatingSubmission,
    UnitAction,
    UnreasonableDemandJudgement,
)
from services.contracts.case_view import CaseView, DeadlineKind, JointRole, RatingLevel
from services.contracts.case_workflow import CaseUpdate
from services.contracts.cases import CaseStatus
from services.contracts.events import EventKind
from tests.workflows.harness import CaseHandle, Cases, actions

MINUTE = timedelta(minutes=1)
UNSATISFIED = RatingSubmission(
    speed=RatingLevel.SATISFIED, outcome=RatingLevel.UNSATISFIED, comment="要求赔偿积水泡坏的家具"
)
JUDGEMENT = UnreasonableDemandJudgement(
    unit="coordination-centre", reason="赔偿诉求不属于排水抢修范围，已告知来电人可通过司法途径解决"
)


async def reworked(cases: Cases, *, callback: bool = False) -> tuple[CaseHandle, CaseView]:
    """A case resolved, then rated unsatisfied with its outcome: back with its unit for rework."""
    case = await cases.start(unit="water", callback=callback)
    await case.act(CaseUpdate.ACCEPT, UnitAction(unit="water"))
    await case.act(CaseUpdate.FEEDBACK, FeedbackReport(unit="water", message="已联系您"))
    await case.act(CaseUpdate.RESOLVE, UnitAction(unit="water", note="积水已抽干"))
    view = await case.act(CaseUpdate.RATE, UNSATISFIED)
    assert view.status is CaseStatus.REWORK
    return case, view


async def test_the_centre_judges_the_demand_unreasonable_the_rework_ends_and_the_case_closes(cases: Cases) -> None:
    case, rework = await reworked(cases, callback=True)
    rated_at = rework.ratings[-1].at
    window_end = cases.sources.calendar.add_working_days(rated_at, 3).at
    await cases.sleep_until(window_end - MINUTE)

    closed = await case.act(CaseUpdate.JUDGE_UNREASONABLE_DEMAND, JUDGEMENT)

    assert (closed.status, closed.closed_reason) == (CaseStatus.CLOSED, "unreasonable_demand")
    judgement = closed.unreasonable_demand
    assert judgement is not None
    assert (judgement.judged_by, judgement.reason, judgement.rating_round) == (JUDGEMENT.unit, JUDGEMENT.reason, 0)
    assert closed.closed_at == judgement.judged_at and judgement.judged_at > rated_at
    # The rating stays on record, marked; the rework's deadline is no longer asked for.
    [rating] = closed.ratings
    assert (rating.outcome, rating.comment, rating.judged_unreasonable) == (
        RatingLevel.UNSATISFIED,
        UNSATISFIED.comment,
        True,
    )
    resolution = closed.tracked(DeadlineKind.RESOLUTION)
    assert resolution is not None and resolution.met_at == judgement.judged_at
    assert closed.overdue is False
    assert actions(closed)[-2:] == [("demand_judged_unreasonable", "coordination-centre"), ("closed", "system")]
    assert closed.timeline[-2].detail == JUDGEMENT.reason
    # The handling unit and the platform hear that the case is closed, with the reason.
    assert cases.published.to(EventKind.CASE_CLOSED) == [("water", "unit"), ("platform-12345", "platform")]
    assert {e.detail for e in cases.published.of_kind(EventKind.CASE_CLOSED)} == {JUDGEMENT.reason}
    result = await case.result()
    assert result.unreasonable_demand == judgement


async def test_the_judgement_is_refused_to_others_without_a_pending_unsatisfied_rating_and_during_joint_handling(
    cases: Cases,
) -> None:
    case = await cases.start(unit="water")
    await case.act(CaseUpdate.ACCEPT, UnitAction(unit="water"))
    not_rated = await case.refused(CaseUpdate.JUDGE_UNREASONABLE_DEMAND, JUDGEMENT)
    assert "only a case in rework after an unsatisfied outcome" in not_rated.message

    await case.act(CaseUpdate.RESOLVE, UnitAction(unit="water"))
    await case.act(CaseUpdate.RATE, UNSATISFIED)
    by_unit = await case.refused(CaseUpdate.JUDGE_UNREASONABLE_DEMAND, JUDGEMENT.model_copy(update={"unit": "water"}))
    assert by_unit.message == "only the coordination centre judges a demand unreasonable"
    joint = JointHandlingRequest(
        unit="water",
        reason="需属地配合疏通排水管",
        participants=[
            JointParticipant(unit="water", role=JointRole.LEAD, task="疏通管道"),
            JointParticipant(unit="hekou-town", role=JointRole.TOWNSHIP, task="属地配合"),
        ],
    )
    await case.act(CaseUpdate.REQUEST_JOINT_HANDLING, joint)
    during_joint = await case.refused(CaseUpdate.JUDGE_UNREASONABLE_DEMAND, JUDGEMENT)
    assert "joint handling is still open" in during_joint.message

    view = await case.state()
    assert (view.status, view.unreasonable_demand, view.closed_reason) == (CaseStatus.REWORK, None, None)
    assert [r.judged_unreasonable for r in view.ratings] == [False]
    assert "demand_judged_unreasonable" not in [action for action, _ in actions(view)]


async def test_after_the_window_the_judgement_is_refused_and_the_rework_goes_on(cases: Cases) -> None:
    case, rework = await reworked(cases)
    window_end = cases.sources.calendar.add_working_days(rework.ratings[-1].at, 3).at
    await cases.sleep_until(window_end + MINUTE)

    late = await case.refused(CaseUpdate.JUDGE_UNREASONABLE_DEMAND, JUDGEMENT)

    assert "3 working days" in late.message and window_end.isoformat() in late.message
    view = await case.state()
    assert (view.status, view.unreasonable_demand) == (CaseStatus.REWORK, None)
    assert view.ratings[-1].judged_unreasonable is False
    await case.act(CaseUpdate.RESOLVE, UnitAction(unit="water", note="已更换排水泵"))
    closed = await case.act(
        CaseUpdate.RATE, RatingSubmission(speed=RatingLevel.SATISFIED, outcome=RatingLevel.SATISFIED)
    )
    assert (closed.status, closed.closed_reason) == (CaseStatus.CLOSED, "rated")
