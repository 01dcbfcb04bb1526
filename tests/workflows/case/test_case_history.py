"""A case open for months with many reports keeps a bounded history: it continues as new, carrying everything."""

from __future__ import annotations

from services.contracts.case_actions import FeedbackReport, ProgressReport, RatingSubmission, UnitAction
from services.contracts.case_ids import workflow_id_for
from services.contracts.case_view import CaseView, RatingLevel
from services.contracts.case_workflow import CaseUpdate
from services.contracts.cases import CaseStatus
from tests.workflows.harness import CaseHandle, Cases

AFTER_EVENTS = 150  # the policy's threshold, small so that the test crosses it many times
REPORTS = 300
# One loop of the workflow (an update's events, its step's marker and tasks) may go past the threshold before the
# case checks it.
SLACK = 40


async def test_hundreds_of_reports_continue_as_new_and_nothing_is_lost(cases: Cases) -> None:
    cases.sources.policy = cases.sources.policy.model_copy(
        update={"continue_as_new_after_events": AFTER_EVENTS, "max_progress_reports": REPORTS}
    )
    started = await cases.start(unit="water")
    first_run = started.handle.run_id
    # As intake addresses a case: by workflow id, so whichever run is current answers.
    latest = cases.env.client.get_workflow_handle(workflow_id_for(started.case_id), result_type=CaseView)
    case = CaseHandle(started.case, latest)
    await case.act(CaseUpdate.ACCEPT, UnitAction(unit="water"))
    await case.act(CaseUpdate.FEEDBACK, FeedbackReport(unit="water", message="已联系您"))
    before = await case.state()

    for n in range(1, REPORTS + 1):
        await case.act(CaseUpdate.PROGRESS, ProgressReport(unit="water", done=f"第{n}次阶段性进展"))

    now = await case.state()
    reports = [entry.detail for entry in now.timeline if entry.action == "progress"]
    assert reports == [f"已办：第{n}次阶段性进展" for n in range(1, REPORTS + 1)]
    assert (now.status, now.deadlines, now.first_contact_unit) == (CaseStatus.ACCEPTED, before.deadlines, "water")
    assert now.tracked_deadlines == before.tracked_deadlines
    description = await case.handle.describe()
    assert description.run_id != first_run, "the case continued as new"
    for run_id in {first_run, description.run_id}:
        history = await cases.env.client.get_workflow_handle(case.handle.id, run_id=run_id).fetch_history()
        assert len(history.events) <= AFTER_EVENTS + SLACK
    # The log goes on across runs: every change once, numbered without gaps.
    log = cases.published.log_of(case.case_id)
    assert [event.sequence for event in log] == list(range(1, len(log) + 1))
    assert [event.kind for event in log].count("progress") == REPORTS

    # The case runs on to its end as any other.
    await case.act(CaseUpdate.RESOLVE, UnitAction(unit="water", note="已修复"))
    await case.act(CaseUpdate.RATE, RatingSubmission(speed=RatingLevel.SATISFIED, outcome=RatingLevel.SATISFIED))
    result = await case.result()
    assert (result.status, result.closed_reason) == (CaseStatus.CLOSED, "rated")


async def test_progress_reports_are_capped_with_a_reason(cases: Cases) -> None:
    cases.sources.policy = cases.sources.policy.model_copy(update={"max_progress_reports": 2})
    case = await cases.start(unit="water")
    await case.act(CaseUpdate.ACCEPT, UnitAction(unit="water"))
    for n in (1, 2):
        await case.act(CaseUpdate.PROGRESS, ProgressReport(unit="water", done=f"进展{n}"))

    refused = await case.refused(CaseUpdate.PROGRESS, ProgressReport(unit="water", done="进展3"))

    assert "2 progress reports, the most it takes" in refused.message
