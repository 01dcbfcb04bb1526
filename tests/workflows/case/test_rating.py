"""The caller's rating: satisfied closes, unsatisfied sends the case back (up to the policy's reworks), none closes
the case after the rating wait."""

from __future__ import annotations

from datetime import timedelta

from services.contracts.case_actions import FeedbackReport, RatingSubmission, UnitAction
from services.contracts.case_view import DeadlineKind, RatingLevel
from services.contracts.case_workflow import CaseUpdate
from services.contracts.cases import CaseStatus
from services.contracts.events import EventKind
from tests.workflows.harness import CaseHandle, Cases, actions

SATISFIED = RatingSubmission(speed=RatingLevel.SATISFIED, outcome=RatingLevel.SATISFIED)
UNSATISFIED = RatingSubmission(speed=RatingLevel.SATISFIED, outcome=RatingLevel.UNSATISFIED, comment="水压还是不够")


async def answered_case(cases: Cases, *, callback: bool = False) -> CaseHandle:
    case = await cases.start(unit="water", callback=callback)
    await case.act(CaseUpdate.ACCEPT, UnitAction(unit="water"))
    await case.act(CaseUpdate.FEEDBACK, FeedbackReport(unit="water", message="已联系您"))
    return case


async def test_unsatisfied_caller_sends_the_case_back_then_a_satisfied_rating_closes_it(cases: Cases) -> None:
    case = await answered_case(cases, callback=True)
    await case.act(CaseUpdate.RESOLVE, UnitAction(unit="water", note="已修复"))
    await cases.env.sleep(timedelta(days=1))

    reworked = await case.act(CaseUpdate.RATE, UNSATISFIED)

    assert (reworked.status, reworked.reworks) == (CaseStatus.REWORK, 1)
    assert reworked.rating_due is None and reworked.resolved_at is None
    rated_at = reworked.ratings[0].at
    resolution = reworked.tracked(DeadlineKind.RESOLUTION)
    assert resolution is not None
    assert (resolution.started_at, resolution.met_at) == (rated_at, None)
    assert resolution.due == cases.sources.calendar.add_working_days(rated_at, 7).at
    assert reworked.deadlines.resolution == resolution.due
    assert actions(reworked)[-2:] == [("rated", "caller"), ("rework", "system")]
    assert cases.published.to(EventKind.REWORK) == [("water", "unit"), ("platform-12345", "platform")]
    assert all(e.detail == "水压还是不够" for e in cases.published.of_kind(EventKind.REWORK))

    again = await case.act(CaseUpdate.RESOLVE, UnitAction(unit="water", note="已更换加压泵"))
    assert again.status is CaseStatus.RESOLVED
    await case.act(CaseUpdate.RATE, SATISFIED)
    result = await case.result()

    assert (result.status, result.closed_reason, result.reworks) == (CaseStatus.CLOSED, "rated", 1)
    assert [(r.round, r.outcome) for r in result.ratings] == [(0, RatingLevel.UNSATISFIED), (1, RatingLevel.SATISFIED)]
    assert [a for a in actions(result) if a[0] in ("resolved", "rated", "rework", "closed")] == [
        ("resolved", "water"),
        ("rated", "caller"),
        ("rework", "system"),
        ("resolved", "water"),
        ("rated", "caller"),
        ("closed", "system"),
    ]
    assert cases.published.to(EventKind.CASE_CLOSED) == [("water", "unit"), ("platform-12345", "platform")]
    assert len(cases.published.of_kind(EventKind.REWORK)) == 2


async def test_unsatisfied_after_the_last_allowed_rework_closes_the_case(cases: Cases) -> None:
    case = await answered_case(cases)
    for round_ in (1, 2):  # the default policy allows two reworks
        await case.act(CaseUpdate.RESOLVE, UnitAction(unit="water"))
        reworked = await case.act(CaseUpdate.RATE, UNSATISFIED)
        assert (reworked.status, reworked.reworks) == (CaseStatus.REWORK, round_)

    await case.act(CaseUpdate.RESOLVE, UnitAction(unit="water"))
    await case.act(CaseUpdate.RATE, UNSATISFIED)
    result = await case.result()

    assert result.status is CaseStatus.CLOSED
    assert result.closed_reason == "unsatisfied after the last allowed rework"
    assert result.reworks == 2
    assert [r.outcome for r in result.ratings] == [RatingLevel.UNSATISFIED] * 3
    assert cases.published.to(EventKind.REWORK) == [("water", "unit")] * 2
    # The coordination centre hears of a case closed unsatisfied.
    assert cases.published.to(EventKind.CASE_CLOSED) == [("water", "unit"), ("coordination-centre", "coordination")]


async def test_resolved_case_nobody_rates_closes_as_not_rated_after_seven_days(cases: Cases) -> None:
    case = await answered_case(cases)
    resolved = await case.act(CaseUpdate.RESOLVE, UnitAction(unit="water", note="已修复"))
    assert resolved.rating_due is not None
    assert resolved.rating_due == resolved.resolved_at + timedelta(days=7)  # type: ignore[operator]

    await cases.sleep_until(resolved.rating_due - timedelta(minutes=1))
    assert (await case.state()).status is CaseStatus.RESOLVED
    await cases.sleep_until(resolved.rating_due + timedelta(minutes=1))
    result = await case.result()

    assert result.status is CaseStatus.CLOSED
    assert result.closed_reason == "not rated"
    assert result.closed_at is not None and result.closed_at >= resolved.rating_due
    assert result.ratings == []
    assert actions(result)[-2:] == [("resolved", "water"), ("closed", "system")]
    assert cases.published.to(EventKind.CASE_CLOSED) == [("water", "unit")]
